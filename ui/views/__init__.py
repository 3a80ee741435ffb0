"""Whole-window views: onboarding and the lock screen."""
