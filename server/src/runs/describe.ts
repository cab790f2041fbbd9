// Human titles for steps, as they appear in the CLI table, reports, the dashboard and the popup.
export { describeStep } from '../../../schema/present.js';
