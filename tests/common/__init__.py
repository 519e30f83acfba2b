"""Tests of services/common."""
