// Vanguard's own behaviour. Loaded as a file: the CSP allows no inline script.
"use strict";
