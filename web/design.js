// Page of the design module: see web/pages.js for the convention (registerPage).
