import assert from 'node:assert/strict';
import fc from 'fast-check';
import { PUSH_TYPES, DATA_TYPES, decodePush, inferDataType, parseAxes, parseCells, parseFuels } from '../../src/protocols/jointech/messages';
import { ALARM_TYPES, named } from '../../src/protocols/jointech/enums';
import { parseUploadTopic, uploadFilters, uploadTopic, deviceNumber, commandTopic } from '../../src/protocols/jointech/topics';
import { isProtocolError } from '../../src/protocols/protocol-error';
import { jointechSamples as S } from '../../tools/samples';

const enumOf = (v: unknown) => v as { code: number; en: string | null; zh: string | null; unknown?: true };

describe('Jointech push decoding (document samples)', () => {
  it('gives each data type its own payload type: narrowing on type reads the decoded fields without a cast', () => {
    const seen: string[] = [];
    for (const body of Object.values(S.webhook).filter((v) => typeof v === 'object')) {
      const d = decodePush(body);
      switch (d.type) {
        case 'location': assert.equal(typeof d.payload.gpsTimeMs, 'number'); assert.equal(typeof d.payload.charging, 'boolean'); break;
        case 'alarm': assert.equal(d.payload.alarmType.code, d.payload.alarmType.code | 0); assert.match(d.payload.dateTime ?? '', /Z$/); break;
        case 'event': assert.equal(typeof d.payload.eventType.en, 'string'); break;
        case 'cmd': assert.equal(d.payload.ok, d.payload.frame !== null); assert.equal(d.payload.frame?.deviceId ?? d.assetId, d.assetId); break;
        case 'sublock': assert.equal(d.subLockId, d.payload.subAssetID); break;
      }
      seen.push(d.type);
    }
    assert.deepEqual([...new Set(seen)].sort(), [...DATA_TYPES].sort());
  });

  it('decodes the webhook location sample field by field', () => {
    const d = decodePush(S.webhook.location);
    assert.equal(d.type, 'location');
    assert.equal(d.assetId, '8022300001');
    const p = d.payload as Record<string, any>;
    assert.equal(p.gpsTime, '2022-09-01T08:59:56.000Z');
    assert.equal(p.gpsTimeMs, Date.UTC(2022, 8, 1, 8, 59, 56));
    assert.equal(p.recvTime, '2022-09-01T08:59:56.964Z');
    assert.deepEqual(p.locType, { code: 0, en: 'No fix', zh: '不定位' });
    assert.deepEqual(p.cells, { mcc: 460, mnc: 0, lac: 9383, cid: 220792647 });
    assert.equal(p.battery, 100);
    assert.equal(p.charging, false);
    assert.equal(p.voltage, 0);
    assert.equal(p.mileage, 16);
    assert.equal(p.cellSignal, 19);
    assert.equal(p.ksInfo, null, 'empty ksInfo string is no object');
    assert.deepEqual(p.statusJson.lockBar, { code: -1, en: null, zh: null, unknown: true }, 'lockBar -1 is not in the StatusJson class: kept, marked unknown');
    assert.deepEqual(p.statusJson.lockRope, { code: 0, en: 'Inserted', zh: '插入' });
    assert.deepEqual(p.statusJson.lockStatus, { code: 0, en: 'Closed', zh: '关' });
    const x = p.expandInfo;
    assert.equal(x.angle, null, '"null" string becomes null');
    assert.equal(x.backBattery, null);
    assert.deepEqual(x.fuels, [null, null, null], '-1 fuel levels become null');
    assert.equal(x.humidity, 0);
    assert.equal(x.lux, 0);
    assert.equal(x.pressure, 0);
    assert.equal(x.temperature, null, '-1000 temperature becomes null');
    assert.deepEqual(x.networkType, { code: 0, en: 'Unknown', zh: '未知' });
    assert.deepEqual(x.reportType, { code: 0, en: 'Real time', zh: '实时' });
  });

  it('decodes the MQTT location sample: charging battery, cell positioning, "null" report type', () => {
    const d = decodePush(S.mqtt.location!.payload, 'location');
    const p = d.payload as Record<string, any>;
    assert.equal(p.battery, null);
    assert.equal(p.charging, true, 'battery 255 means charging');
    assert.deepEqual(p.locType, { code: 2, en: 'Cell (LBS)', zh: '基站定位' });
    assert.equal(p.latitude, 22.6700711039462);
    assert.equal(p.longitude, 113.922999834147);
    assert.equal(p.cellSignal, 31);
    assert.equal(p.expandInfo.reportType, null);
    assert.equal(p.expandInfo.lux, null);
    assert.deepEqual(p.cells, { mcc: 460, mnc: 0, lac: 10352, cid: 188975300 });
  });

  it('decodes the KS20A ksInfo block of the document', () => {
    const d = decodePush({ ...S.webhook.location, ksInfo: S.webhook.ksInfo });
    const ks = (d.payload as Record<string, any>).ksInfo;
    assert.equal(ks.temperature, 36);
    assert.deepEqual(ks.posture, { x: 0, y: 0, z: 230 });
    assert.deepEqual(ks.volStatus, { code: 0, en: 'Normal', zh: 'LED电压正常' });
    assert.deepEqual(ks.eleStatus, { code: 0, en: 'Normal', zh: 'LED电流正常' });
    assert.deepEqual(ks.shakeStatus, { code: 1, en: 'Shaking', zh: '摇晃' });
    assert.equal(ks.eleValue, 3.48);
    assert.equal(ks.subLockId, '022408000000');
    assert.equal(ks.subInfo['112408000035'].temperature, 29.3);
  });

  it('decodes both alarm samples with the alarm names', () => {
    const w = decodePush(S.webhook.alarm).payload as Record<string, any>;
    assert.deepEqual(w.alarmType, { code: 46, en: 'Back cover opened', zh: '开后盖' });
    assert.equal(w.cells, null, '"0,0,0,0" means no cell');
    assert.equal(w.fileIndex, '1585699212');
    assert.equal(w.dateTime, '2020-04-01T00:00:13.000Z');
    const m = decodePush(S.mqtt.alarm!.payload, 'alarm').payload as Record<string, any>;
    assert.deepEqual(m.alarmType, { code: 44, en: 'Illegal card swiped', zh: '刷非法卡' });
    assert.equal(m.mileage, 59);
  });

  it('decodes both event samples, including the waybill JSON in describe', () => {
    const w = decodePush(S.webhook.event).payload as Record<string, any>;
    assert.deepEqual(w.eventType, { code: 1, en: 'Unlocked', zh: '开锁' });
    assert.deepEqual(w.unLockType, { code: 1, en: 'Card', zh: '刷卡开锁' });
    assert.equal(w.card, '0003116836');
    assert.deepEqual(w.describe, { waybillGUID: '190db1a2-3df1-4857-b94e-ee5937334409', waybillNo: '45435345' });
    const m = decodePush(S.mqtt.event!.payload, 'event').payload as Record<string, any>;
    assert.deepEqual(m.unLockType, { code: 2, en: 'Remote', zh: '远程开锁' });
    assert.equal(m.describe, '');
  });

  it('decodes command replies: content array, frame parts, and both failure texts', () => {
    const w = decodePush(S.webhook.cmd).payload as Record<string, any>;
    assert.equal(w.ok, true);
    assert.deepEqual(w.content, ['742207000010', '8', '001', 'BASE', '2', '20220901081402']);
    assert.deepEqual(w.frame, { deviceId: '742207000010', protocol: '8', serial: '001', word: 'BASE', index: '2', command: 'BASE2', params: ['20220901081402'] });
    const m = decodePush(S.mqtt.cmd!.payload, 'cmd').payload as Record<string, any>;
    assert.equal(m.frame.command, 'BASE1');
    assert.equal(m.frame.params[0], 'JT709A_20241115_HW-V1.2_RFID_7600_V2_8');
    const off = decodePush(S.mqtt.cmdOffline!.payload, 'cmd').payload as Record<string, any>;
    assert.equal(off.ok, false);
    assert.equal(off.failure, 'device-offline');
    assert.equal(off.error, 'Device not online！');
    const unreg = decodePush(S.mqtt.cmdUnregistered!.payload, 'cmd').payload as Record<string, any>;
    assert.equal(unreg.failure, 'device-unregistered');
  });

  it('decodes both sub-lock samples with sensor, lock and event names', () => {
    const w = decodePush(S.webhook.sublock);
    assert.equal(w.type, 'sublock');
    assert.equal(w.subLockId, 'E0171E0365');
    const p = w.payload as Record<string, any>;
    assert.deepEqual(p.sensorType, { code: 4, en: 'JT709', zh: 'JT709' });
    assert.deepEqual(p.locStatus, { code: 0, en: 'Closed', zh: '关' });
    assert.deepEqual(p.locRope, { code: 0, en: 'Inserted', zh: '插入' });
    assert.deepEqual(p.eventType, { code: 6, en: 'Heartbeat', zh: '心跳包事件' });
    assert.equal(p.temperature, null);
    assert.equal(p.humidity, null, 'sub-lock humidity 0 means none');
    assert.equal(p.voltage, 3.93);
    assert.equal(p.battery, 71);
    assert.equal(p.locTimes, 5);
    assert.equal(p.subGpsTime, '2023-12-07T08:29:50.000Z');
    assert.equal(p.subGpsTimestamp, 1701937790000);
    assert.deepEqual(p.statusJson.lockRope, { code: 0, en: 'Inserted', zh: '插入' });
    assert.equal(p.statusJson.gateway, 0);
    const m = decodePush(S.mqtt.sublock!.payload, 'sublock').payload as Record<string, any>;
    assert.deepEqual(m.eventType, { code: 3, en: 'Unlocked remotely', zh: '远程开锁事件' });
    assert.equal(m.subGpsTimestamp, 1738912514000);
  });

  it('names JT802 status fields of a sub-lock', () => {
    const body = { ...S.webhook.sublock, sensorType: 6, statusJson: '{"bottomDisassembly":1,"emergencyKey":0,"lockMotor":1,"structuralDisassembly":0,"gateway":0,"lockValve":1}' };
    const s = (decodePush(body).payload as Record<string, any>).statusJson;
    assert.deepEqual(s.bottomDisassembly, { code: 1, en: 'Removed', zh: '拆卸' });
    assert.deepEqual(s.lockMotor, { code: 1, en: 'On', zh: '电机开' });
    assert.deepEqual(s.lockValve, { code: 1, en: 'Open', zh: '打开' });
    assert.deepEqual(s.emergencyKey, { code: 0, en: 'Sealed', zh: '封存' });
  });

  it('keeps unknown codes as numbers flagged unknown', () => {
    const p = decodePush({ ...S.webhook.alarm, alarmType: 777 }).payload as Record<string, any>;
    assert.deepEqual(p.alarmType, { code: 777, en: null, zh: null, unknown: true });
  });

  it('has all 126 alarm types of the document, with both names', () => {
    assert.equal(ALARM_TYPES.size, 126);
    for (const [code, [en, zh]] of ALARM_TYPES) {
      assert.ok(en.length > 0 && zh.length > 0, `alarm ${code} has names`);
    }
    assert.deepEqual(enumOf(named(ALARM_TYPES, 1000)), { code: 1000, en: 'Custom alarm', zh: '自定义报警' });
  });

  it('infers the type of each sample from its fields', () => {
    for (const t of ['location', 'alarm', 'event', 'cmd', 'sublock'] as const) {
      assert.equal(inferDataType(S.webhook[t]), t);
    }
  });

  it('rejects bad input with the package error type and a reason', () => {
    const cases: Array<[unknown, RegExp]> = [
      ['{not json', /not valid JSON/],
      ['[1,2]', /must be a JSON object/],
      [{ hello: 1 }, /fits no Jointech data type/],
      [{ ...S.webhook.alarm, assetId: undefined }, /assetId/],
      [{ ...S.webhook.alarm, alarmType: 'loud' }, /alarmType/],
      [{ ...S.webhook.location, gpsTime: 'yesterday' }, /gpsTime: "yesterday" is not a UTC time/],
      [{ ...S.webhook.location, statusJson: '{broken' }, /statusJson is not valid JSON/],
      [{ ...S.webhook.cmd, content: '[broken' }, /content is not valid JSON/],
    ];
    for (const [input, re] of cases) {
      assert.throws(() => decodePush(input), (err: unknown) => isProtocolError(err) && re.test((err as Error).message), String(re));
    }
    assert.throws(() => decodePush(S.webhook.alarm, 'location'), /looks like alarm data but arrived as location/);
  });

  it('splits cells, axes and fuel lists', () => {
    assert.equal(parseCells(''), null);
    assert.deepEqual(parseAxes('x:1;y:-29;z:-2903'), { x: 1, y: -29, z: -2903 });
    assert.deepEqual(parseFuels('12.5,-1,30'), [12.5, null, 30]);
  });
});

describe('Jointech push field checks', () => {
  const fieldNames = [...new Set(DATA_TYPES.flatMap((t) => Object.keys(PUSH_TYPES[t].schema.shape)))];
  /** Values the schemas accept or refuse for a reason: numbers as text, edge numbers, near-dates. */
  const value = fc.oneof(
    fc.jsonValue(),
    fc.double(),
    fc.constantFrom('', ' ', 'null', ' 12 ', '1e3', '-1000.0', '0x10', '1.', '.5', 255, -1, 1.5, 2 ** 53, -0, 'E0171E0366', ' 8052400203 '),
    fc.constantFrom('2025-02-07T07:26:30Z', '2024-02-29T23:59:59.5Z', '2023-02-29T00:00:00Z', '2025-02-07T07:26:30.12Z', '2025-02-07T24:00:00Z', '2025-02-07T07:26:30.Z', '2025-02-07 07:26:30', '2025-02-07T07:26:30+08:00'),
  );

  it('accept exactly what the zod schemas accept, and give the same values', () => {
    const samples = DATA_TYPES.map((t) => S.webhook[t]);
    fc.assert(fc.property(fc.nat(DATA_TYPES.length - 1), fc.dictionary(fc.constantFrom(...fieldNames), value), (i, patch) => {
      const type = DATA_TYPES[i]!;
      const input = { ...samples[i], ...patch } as Record<string, unknown>;
      const copy = structuredClone(input);
      const viaZod = PUSH_TYPES[type].schema.safeParse(input);
      const fast = PUSH_TYPES[type].check(copy);
      assert.equal(fast !== undefined, viaZod.success, `${type} ${JSON.stringify(patch)}`);
      // Accepted: the same values; refused: the input left as it was, for zod to describe.
      assert.deepStrictEqual(fast ? { ...fast } : copy, viaZod.success ? { ...viaZod.data } : input);
    }), { numRuns: 5000 });
  });

  it('share one read-only object per enumeration code', () => {
    const a = decodePush(S.webhook.alarm).payload.alarmType;
    const b = decodePush(S.webhook.alarm).payload.alarmType;
    assert.equal(a, b);
    assert.ok(Object.isFrozen(a));
  });
});

describe('Jointech topics', () => {
  it('builds one # filter when every type is wanted', () => {
    assert.deepEqual(uploadFilters('AK1', ['location', 'alarm', 'event', 'cmd', 'sublock'], 'all'), ['upload/AK1/#']);
    assert.deepEqual(uploadFilters('AK1', ['location', 'alarm', 'event', 'cmd', 'sublock'], ['8022300001']), ['upload/AK1/8022300001/#']);
  });

  it('builds per-type filters, with the sub-lock level', () => {
    assert.deepEqual(uploadFilters('AK1', ['location', 'sublock'], 'all'), ['upload/AK1/+/location', 'upload/AK1/+/+/sublock']);
    assert.deepEqual(uploadFilters('AK1', ['alarm'], ['8022300001', '8022300002']), ['upload/AK1/8022300001/alarm', 'upload/AK1/8022300002/alarm']);
  });

  it('refuses values that would widen a subscription', () => {
    assert.throws(() => uploadFilters('AK/#', ['alarm'], 'all'), /must not contain/);
    assert.throws(() => uploadFilters('AK', ['alarm'], ['+']), /must not contain/);
    assert.throws(() => deviceNumber('80223a'), /must be 4 to 20 digits/);
    assert.throws(() => commandTopic('AK', ''), /is empty/);
  });

  it('reads the type, device and sub-lock from a topic', () => {
    assert.deepEqual(parseUploadTopic('upload/AK/8022300001/alarm'), { accessKey: 'AK', deviceNum: '8022300001', type: 'alarm' });
    assert.deepEqual(parseUploadTopic('upload/AK/8052400203/E0171E0366/sublock'), { accessKey: 'AK', deviceNum: '8052400203', subLockNum: 'E0171E0366', type: 'sublock' });
    assert.equal(parseUploadTopic('upload/AK/8022300001/other'), undefined);
    assert.equal(parseUploadTopic('download/AK/8022300001/cmd'), undefined);
  });

  it('reads any topic as its levels say: four with a data type, or five ending in sublock', () => {
    const level = fc.oneof(fc.constantFrom('upload', 'AK', '8052400203', 'sublock', 'alarm', 'cmd', 'other', ''), fc.string({ maxLength: 4 }));
    fc.assert(fc.property(fc.array(level, { maxLength: 7 }), (levels) => {
      const topic = levels.join('/');
      const p = topic.split('/');
      const expected = p[0] !== 'upload' ? undefined
        : p.length === 4 && ['location', 'alarm', 'event', 'cmd'].includes(p[3]!) ? { accessKey: p[1], deviceNum: p[2], type: p[3] }
          : p.length === 5 && p[4] === 'sublock' ? { accessKey: p[1], deviceNum: p[2], subLockNum: p[3], type: 'sublock' } : undefined;
      assert.deepStrictEqual(parseUploadTopic(topic), expected, topic);
    }), { numRuns: 5000 });
  });

  it('builds upload topics that parse back to the same parts', () => {
    assert.equal(uploadTopic('AK', '8022300001', 'alarm'), 'upload/AK/8022300001/alarm');
    assert.equal(uploadTopic('AK', '8052400203', 'sublock', 'E0171E0366'), 'upload/AK/8052400203/E0171E0366/sublock');
    assert.deepEqual(parseUploadTopic(uploadTopic('AK', '8052400203', 'sublock', 'E0171E0366')), { accessKey: 'AK', deviceNum: '8052400203', subLockNum: 'E0171E0366', type: 'sublock' });
    assert.throws(() => uploadTopic('AK', '8052400203', 'sublock'), /sub-lock number is empty/);
    assert.throws(() => uploadTopic('AK', '8052400203', 'sublock', 'E01/#'), /must not contain/);
  });
});
