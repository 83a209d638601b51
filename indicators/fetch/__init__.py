"""Fetching real statistics: SCB's Statistikdatabasen through PxWebApi 2.0, driven by declarative recipes."""
