// Page of the pcrs module: see web/pages.js for the convention (registerPage).
