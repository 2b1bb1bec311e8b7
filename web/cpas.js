// Page of the cpas module: see web/pages.js for the convention (registerPage).
