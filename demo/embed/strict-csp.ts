// Records every CSP violation so the embedding test can assert there were none.
const violations: string[] = [];
document.addEventListener('securitypolicyviolation', (e) => violations.push(`${e.violatedDirective}: ${e.blockedURI}`));
(window as unknown as { __cspViolations: string[] }).__cspViolations = violations;
await import('../../src/index.js');
export {};
