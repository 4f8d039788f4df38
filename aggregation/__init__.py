"""Cohort aggregation: raw household JSONL -> validated cohort Parquet and dashboard views."""
