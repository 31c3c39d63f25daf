import assert from 'node:assert/strict';
import {
  COMMANDS, PendingCommands, SerialCounter, buildRequest, encodeFrame, findMatch, namedReply, parseRawFrame,
} from '../../src/protocols/jointech/commands';
import { decodePush, type CommandReply } from '../../src/protocols/jointech/messages';
import { isProtocolError } from '../../src/protocols/protocol-error';
import { jointechSamples as S } from '../../tools/samples';

function rejects(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => isProtocolError(err) && pattern.test((err as Error).message));
}

describe('Jointech command frames', () => {
  it('builds the document example (794308010642,1,001,BASE,1)', () => {
    const req = buildRequest('794308010642', 'BASE1');
    assert.equal(encodeFrame(req, '001'), '(794308010642,1,001,BASE,1)');
    assert.equal(req.command, 'BASE1');
  });

  it('builds the sub-lock unlock of the manual (set, unlock, minutes, id), from a list or named parameters', () => {
    const fromList = buildRequest('7500313609', 'WLNET8', [1, 5, 'E017668836']);
    const fromNames = buildRequest(7500313609, 'wlnet8', { holdMinutes: 5, subLock: 'E017668836' });
    const spelled = buildRequest('7500313609', 'WLNET8', [1, 1, 5, 'E017668836']);
    assert.equal(encodeFrame(fromList, '001'), '(7500313609,1,001,WLNET,8,1,1,5,E017668836)');
    assert.deepEqual(fromNames, fromList);
    assert.deepEqual(spelled, fromList);
    rejects(() => buildRequest('7500313609', 'WLNET8', [1, 2, 5, 'E017668836']), /expects 1 after the operation/);
  });

  it('sends the WLNET1 count before the sub-lock ids; count 0 unbinds all', () => {
    assert.deepEqual(buildRequest('7500313609', 'WLNET1', { subLocks: 'E017668836 E03B60000A' }).params, ['1', '2', 'E017668836', 'E03B60000A']);
    assert.deepEqual(buildRequest('7500313609', 'WLNET1', { subLocks: ['E017668836'] }).params, ['1', '1', 'E017668836']);
    assert.deepEqual(buildRequest('7500313609', 'WLNET1', undefined, 1).params, ['1', '0']);
    assert.deepEqual(buildRequest('7500313609', 'WLNET1').params, ['0']);
  });

  it('sends no parameters for a query and checks every range for a set', () => {
    assert.deepEqual(buildRequest('8130630001', 'BASE6', undefined).params, ['0']);
    assert.deepEqual(buildRequest('8130630001', 'BASE6', { uploadInterval: 60, wakeInterval: 30 }).params, ['1', '60', '30']);
    assert.deepEqual(buildRequest('8130630001', 'BASE6', [1, 5, 1440]).params, ['1', '5', '1440']);
    rejects(() => buildRequest('8130630001', 'BASE6', { uploadInterval: 4, wakeInterval: 30 }), /uploadInterval must be a whole number in 5\.\.600 s, got "4"/);
    rejects(() => buildRequest('8130630001', 'BASE6', { uploadInterval: 60 }), /wakeInterval is required/);
    rejects(() => buildRequest('8130630001', 'BASE8', { timeDifference: 781 }), /-720\.\.780/);
    rejects(() => buildRequest('8130630001', 'BASE6', [60, 30], 3), /operation must be 1/);
    assert.deepEqual(buildRequest('8130630001', 'WLNET18', [0, 600]).params, ['1', '0', '600']);
    rejects(() => buildRequest('8130630001', 'WLNET18', [3, 600]), /0 or 5\.\.86400/);
  });

  it('fills BASE2 with the current UTC time when no time is given', () => {
    const before = Date.now();
    const [stamp] = buildRequest('742207000010', 'BASE2').params;
    assert.match(stamp!, /^\d{14}$/);
    const ms = Date.parse(`${stamp!.slice(0, 4)}-${stamp!.slice(4, 6)}-${stamp!.slice(6, 8)}T${stamp!.slice(8, 10)}:${stamp!.slice(10, 12)}:${stamp!.slice(12)}Z`);
    assert.ok(ms >= Math.floor(before / 1000) * 1000 && ms <= Date.now());
    rejects(() => buildRequest('742207000010', 'BASE2', ['2022-09-01']), /yyyyMMddHHmmss/);
  });

  it('rejects bad devices, commands and frame-breaking parameters before anything is sent', () => {
    rejects(() => buildRequest('79430801064A', 'BASE1'), /4 to 20 digits/);
    rejects(() => buildRequest('', 'BASE1'), /device number is empty/);
    rejects(() => buildRequest('794308010642', 'BASE'), /WORD followed by its index/);
    rejects(() => buildRequest('794308010642', 'BASE1', [1]), /takes 0 parameter/);
    rejects(() => buildRequest('794308010642', 'WLNET4', ['a,b']), /must not contain/);
    rejects(() => buildRequest('794308010642', 'WLNET8', [1, 5, 'E01)7']), /must not contain/);
    assert.deepEqual(buildRequest('794308010642', 'WLNET4', '0').params, ['0']);
  });

  it('reads raw frames and keeps their parameters', () => {
    const req = parseRawFrame(' (8130630001,1,007,GSENS,2,0,500,80) ');
    assert.deepEqual(req, { deviceId: '8130630001', word: 'GSENS', index: '2', command: 'GSENS2', params: ['0', '500', '80'] });
    rejects(() => parseRawFrame('8130630001,1,001,BASE,1'), /must look like/);
    rejects(() => parseRawFrame('(8130630001,1,001)'), /at least/);
  });

  it('has a parameter table for every catalogued command', () => {
    for (const [key, spec] of Object.entries(COMMANDS)) assert.equal(`${spec.word}${spec.index}`, key);
  });
});

describe('Jointech command serials', () => {
  it('rotates per device through 001..999 and never repeats consecutively', () => {
    const s = new SerialCounter(() => 0.9999);
    assert.equal(s.next('1'), '999');
    assert.equal(s.next('1'), '001');
    assert.equal(s.next('1'), '002');
    const t = new SerialCounter(() => 0);
    assert.equal(t.next('2'), '001');
    let prev = t.next('3');
    for (let i = 0; i < 2500; i++) {
      const n = t.next('3');
      assert.notEqual(n, prev);
      assert.match(n, /^\d{3}$/);
      assert.notEqual(n, '000');
      prev = n;
    }
  });
});

describe('Jointech reply matching', () => {
  const reply = (body: string) => decodePush(body, 'cmd').payload as unknown as CommandReply;

  it('names the BASE1 reply fields of the document sample', () => {
    const r = reply(JSON.stringify(S.mqtt.cmd!.payload));
    assert.deepEqual(namedReply('BASE1', r.frame!.params), {
      firmware: 'JT709A_20241115_HW-V1.2_RFID_7600_V2_8', flag: '0', manufacturer: 'Jointech', module: 'LE20B05SIM7600M21-A_CUS_JT',
      iccid: '898604B81022C1046673', imei: '868822046635957', mcc: '460', mnc: '0', cellId: '188975300', lac: '10352',
    });
  });

  it('matches by device, command and serial, then by the oldest of the same command', () => {
    const r = reply(JSON.stringify(S.mqtt.cmd!.payload)); // 794308010642 BASE1 serial 001
    const list = [
      { deviceId: '794308010642', command: 'BASE1', serial: '005' },
      { deviceId: '794308010642', command: 'BASE2', serial: '001' },
      { deviceId: '794308010642', command: 'BASE1', serial: '001' },
    ];
    assert.equal(findMatch(list, r), list[2]);
    assert.equal(findMatch([list[0]!, list[1]!], r), list[0]);
    assert.equal(findMatch([list[0]!, list[1]!], r, true), undefined);
  });

  it('gives failure replies to the oldest command of the device', () => {
    const r = reply(JSON.stringify(S.mqtt.cmdOffline!.payload)); // 8294630003, MQTT_CMD
    const pending = new PendingCommands<string>();
    pending.add({ deviceId: '1111111111', command: 'BASE1', serial: '001', sentAt: 1, data: 'other' });
    pending.add({ deviceId: '8294630003', command: 'BASE6', serial: '010', sentAt: 2, data: 'first' });
    pending.add({ deviceId: '8294630003', command: 'BASE1', serial: '011', sentAt: 3, data: 'second' });
    assert.equal(pending.take(r)?.data, 'first');
    assert.equal(pending.take(r)?.data, 'second');
    assert.equal(pending.take(r), undefined);
    assert.equal(pending.size, 1);
  });
});
