// Where the project lives: the repository is named once here; every link to code or docs derives from it.
export const REPOSITORY = "https://github.com/purcell-lab/nem-flex-telemetry";
const BRANCH = "main";

/** Address of a file of the repository as rendered by GitHub (docs, guides). */
export const repositoryFile = (path) => `${REPOSITORY}/blob/${BRANCH}/${path}`;

export const LINKS = {
  repository: REPOSITORY,
  data: repositoryFile("docs/DATA.md"),
  views: repositoryFile("docs/VIEWS.md"),
  install: repositoryFile("docs/INSTALL.md"),
  privacy: repositoryFile("docs/PRIVACY.md"),
  join: `${repositoryFile("docs/INSTALL.md")}#joining-the-cohort`,
};
