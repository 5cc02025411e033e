// What a portal page's single script tag loads: the clientlens entry, which registers every element.
import '../../src/index.js';
