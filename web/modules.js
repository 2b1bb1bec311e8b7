// The module pages, one file each (see pages.js). Importing a file
// registers its page; the order here is the order of the navigation.
import './cpas.js';
import './pcrs.js';
import './design.js';
import './registers.js';
import './conduct.js';
