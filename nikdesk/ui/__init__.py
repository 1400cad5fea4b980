"""The desktop app (PySide6): the ONLY package that imports Qt."""
