import { translateStatuses } from '../../editor/status-i18n';
import { isFailurePort, outputsWithFailures, showFailures } from '../../editor/failures';
interface Point { name: string; id: number | string; oid: string }

interface IotosDeviceEditorNode {
  name?: string;
  points?: Point[];
  point?: string;
  replyMode?: string;
  failures?: string;
  outputs?: number;
  _: (k: string) => string;
}

type EditableList = JQuery & { editableList(methodOrOptions: string | Record<string, unknown>, ...args: unknown[]): unknown };

function pointsList(): EditableList {
  return $('#node-input-points-container') as EditableList;
}

translateStatuses();

RED.nodes.registerType('iotos-device', {
  category: 'Chinese IoT',
  color: '#a6bbcf',
  defaults: {
    version: { value: 1 },
    name: { value: '' },
    connection: { type: 'iotos-connection', required: true },
    points: {
      value: [],
      validate: function (v: Point[]) {
        return Array.isArray(v) && v.every((p) => /^\d+$/.test(String(p.id)) && String(p.oid ?? '').trim() !== '');
      },
    },
    point: { value: '' },
    timeout: { value: 10, validate: RED.validators.number() },
    replyMode: { value: 'auto' },
    replyTimeout: { value: 30, validate: RED.validators.number() },
    failures: { value: 'output' },
    outputs: { value: 3 },
  },
  inputs: 1,
  outputs: 3,
  icon: 'iotos.svg',
  paletteLabel: function (this: { _: (k: string) => string }) { return this._('paletteLabel'); },
  label: function (this: IotosDeviceEditorNode & { _: (k: string) => string }) {
    return this.name || this._('paletteLabel');
  },
  outputLabels: function (this: IotosDeviceEditorNode, i: number) {
    return this._(isFailurePort(this, i, 'output') ? 'outputs.rejected' : ['outputs.confirmed', 'outputs.downlink'][i] ?? '');
  },
  oneditprepare: function (this: IotosDeviceEditorNode) {
    const node = this;
    const list = pointsList();
    list.editableList({
      addItem: function (row: JQuery, _i: number, p: Partial<Point>) {
        $('<input type="text" class="iotos-point-name" style="width:40%;margin-right:4px">').attr('placeholder', node._('label.pointName')).val(p.name ?? '').appendTo(row);
        $('<input type="text" class="iotos-point-id" style="width:20%;margin-right:4px" placeholder="1963">').val(p.id === undefined ? '' : String(p.id)).appendTo(row);
        $('<input type="text" class="iotos-point-oid" style="width:25%" placeholder="7be6">').val(p.oid ?? '').appendTo(row);
      },
      removable: true,
      sortable: true,
      height: 160,
      header: $('<div style="padding-left:8px"></div>').text(`${node._('label.pointName')} · ${node._('label.pointId')} · oid`),
    });
    for (const p of this.points ?? []) list.editableList('addItem', p);
    const select = $('#node-input-point');
    const refill = () => {
      const current = (select.val() as string | null) ?? this.point ?? '';
      select.empty();
      $('<option value=""></option>').text(node._('label.pointNone')).appendTo(select);
      (list.editableList('items') as JQuery).each(function () {
        const oid = String($(this).find('.iotos-point-oid').val() ?? '').trim();
        const name = String($(this).find('.iotos-point-name').val() ?? '').trim();
        if (oid) $('<option></option>').val(oid).text(name ? `${name} (${oid})` : oid).appendTo(select);
      });
      select.val(current);
    };
    $('#node-input-points-container').on('change', 'input', refill);
    refill();
    select.val(this.point ?? '');
    const showReply = () => $('.iotos-reply-timeout').toggle($('#node-input-replyMode').val() === 'flow');
    $('#node-input-replyMode').on('change', showReply);
    showReply();
    showFailures(this.failures, 'output');
  },
  oneditsave: function (this: IotosDeviceEditorNode) {
    const points: Point[] = [];
    (pointsList().editableList('items') as JQuery).each(function () {
      const oid = String($(this).find('.iotos-point-oid').val() ?? '').trim();
      const id = String($(this).find('.iotos-point-id').val() ?? '').trim();
      if (!oid && !id) return;
      points.push({ name: String($(this).find('.iotos-point-name').val() ?? '').trim(), id: /^\d+$/.test(id) ? Number(id) : id, oid });
    });
    this.points = points;
    this.outputs = outputsWithFailures(2);
  },
});
