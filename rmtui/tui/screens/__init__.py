"""One screen per part of the program; each is a mode of the app."""
