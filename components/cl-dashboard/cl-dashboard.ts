import { ClDashboard } from './cl-dashboard.component.js';

export { ClDashboard };
export type { DashboardState } from './cl-dashboard.component.js';

if (!customElements.get('cl-dashboard')) customElements.define('cl-dashboard', ClDashboard);

declare global {
  interface HTMLElementTagNameMap {
    'cl-dashboard': ClDashboard;
  }
}
