"""NikDesk: offline-first service assistant for solar, battery and EV-charger technicians."""

__version__ = "0.1.0"
