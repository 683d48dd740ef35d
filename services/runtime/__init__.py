"""Shared service runtime: settings, logging, server bootstrap, errors and client channels."""
