// Records every CSP violation so the e2e test can assert there were none. A module of its own,
// imported first, so it listens before the elements and the plugin kit load.
const violations: string[] = [];
document.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.violatedDirective}: ${e.blockedURI}`));
(window as unknown as { __cspViolations: string[] }).__cspViolations = violations;
export {};
