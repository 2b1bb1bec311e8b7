// Page of the registers module: see web/pages.js for the convention (registerPage).
