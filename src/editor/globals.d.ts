/** The editor's global RED object, as Node-RED provides it to node edit dialogs. */
declare const RED: {
  nodes: {
    registerType(type: string, definition: Record<string, unknown>): void;
    node(id: string): unknown;
  };
  comms: {
    subscribe(topic: string, callback: (topic: string, msg: { text?: unknown }) => void): void;
  };
  view: {
    redrawStatus(node: unknown): void;
  };
  validators: {
    number(blankAllowed?: boolean): (v: unknown) => boolean;
    regex(re: RegExp): (v: unknown) => boolean;
  };
  _(key: string, opts?: Record<string, unknown>): string;
};
