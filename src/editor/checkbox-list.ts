/**
 * Checkbox rows drawn from a shared list (message kinds, data types), so that the dialog offers
 * exactly what the runtime accepts: a value added to the list gets its checkbox without an edit of
 * the template. Each row is `<label><input type=checkbox id=…><span>label</span></label>`, as the
 * templates wrote them by hand.
 */
export interface CheckboxListStyle {
  /** style of each row's label element */
  label: string;
  /** style of each checkbox */
  input: string;
  /** style of the last row's label, when it differs (no trailing gap) */
  lastLabel?: string;
}

/** Draws one checkbox per value into `container`, those in `checked` ticked (what the node stored). */
export function renderCheckboxes(container: string, values: readonly string[], id: (v: string) => string, text: (v: string) => string, style: CheckboxListStyle, checked: Iterable<string>): void {
  const ticked = new Set(checked);
  const box = $(container).empty();
  values.forEach((v, i) => {
    const last = i === values.length - 1;
    // The space the template's line breaks put between inline rows.
    box.append(document.createTextNode(' '));
    $('<label>').attr('style', last && style.lastLabel !== undefined ? style.lastLabel : style.label)
      .append($('<input type="checkbox">').attr('id', id(v)).attr('style', style.input).prop('checked', ticked.has(v)))
      .append($('<span>').text(text(v)))
      .appendTo(box);
  });
}

/** The values whose checkbox is ticked, in the list's order: what the dialog saves. */
export function tickedValues<V extends string>(values: readonly V[], id: (v: V) => string): V[] {
  return values.filter((v) => $(`#${id(v)}`).prop('checked'));
}
