"""Following along on a phone: the web server, its page, and the QR code that leads to it."""
