/**
 * The `failures` choice of a request node's dialog (partials/failures-form.html): failures on a
 * last output of their own, or to a Catch node. See README, "Failed requests".
 */

export type FailurePolicy = 'output' | 'catch';

/**
 * Shows the stored choice. A node stored before the choice existed keeps what its type did then
 * (`stored`); "error" is how lock-command and gb32960-command stored "catch".
 */
export function showFailures(value: string | undefined, stored: FailurePolicy): void {
  $('#node-input-failures').val(value === 'error' ? 'catch' : value || stored);
}

/** The node's outputs for the chosen policy: `others` plus the failure output when chosen. */
export function outputsWithFailures(others: number): number {
  return $('#node-input-failures').val() === 'output' ? others + 1 : others;
}

/** Whether output `i` is the node's failure output. */
export function isFailurePort(node: { failures?: string; outputs?: number }, i: number, stored: FailurePolicy): boolean {
  const policy = node.failures === 'error' ? 'catch' : node.failures || stored;
  return policy === 'output' && i === Number(node.outputs) - 1;
}

/**
 * For onadd: a node imported from a flow saved before the choice existed has the type's old
 * outputs and, from the import, the new default "output"; with no failure output among its
 * ports it keeps reporting to Catch, as it did.
 */
export function keepStoredFailures(node: { failures?: string; outputs?: number }, others: number): void {
  if (node.failures === 'output' && Number(node.outputs) !== others + 1) node.failures = 'catch';
}
