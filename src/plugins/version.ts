/** The clientlens version plugins' `engines.clientlens` ranges are checked against (a test keeps it equal to package.json's). */
export const CLIENTLENS_VERSION = '0.1.0';
