/**
 * Dialog fields whose value may come from the message, flow/global context or an environment
 * variable: Node-RED's TypedInput over a text input, with the kind kept in a hidden `<name>Type` field.
 */
import { live } from './validators';

const SOURCES = ['str', 'msg', 'flow', 'global', 'env'];

/** Turns `#node-input-<name>` into a TypedInput storing its kind in `#node-input-<name>Type`. */
export function typedField(name: string): void {
  const input = $(`#node-input-${name}`) as unknown as { typedInput(options: Record<string, unknown>): void };
  input.typedInput({ types: SOURCES, typeField: `#node-input-${name}Type` });
}

/** A field's kind while its dialog is open, else the stored one; flows saved before it had one: text. */
export function fieldType(node: Record<string, unknown>, name: string): string {
  return String(live(`node-input-${name}Type`, node[`${name}Type`]) || 'str');
}
