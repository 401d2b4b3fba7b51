# Admin pages and the admin canvas.
