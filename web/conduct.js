// Page of the conduct module: see web/pages.js for the convention (registerPage).
