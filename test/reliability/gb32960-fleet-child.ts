/**
 * A fleet of simulated GB/T 32960 vehicles in its own process (so the platform's RSS is its own):
 * each logs in, then sends one realtime frame a second; frame k of vehicle i carries sequence
 * number k * vehicles + i in its mileage. Reports what it sent and the replies it got.
 */
import { beijingIso } from '../../src/protocols/gb32960/replies';
import { SimVehicle, realtimeData, vinOf } from '../../tools/gb32960-vehicle';

/** mileageBase: frame k of vehicle i reports mileage mileageBase + seq / 10 (0.1 km resolution). */
interface Order { port: number; vehicles: number; seconds: number; mileageBase: number }

process.once('message', (order: Order) => {
  void (async () => {
    const fleet: SimVehicle[] = [];
    for (let i = 0; i < order.vehicles; i++) {
      fleet.push(await new SimVehicle({ port: order.port, vin: vinOf(i, 'LREL') }).connect());
    }
    const logins = await Promise.all(fleet.map((v) => v.login()));
    const loginOk = logins.filter((r) => r.frame.responseFlag.code === 1).length;
    process.send!({ phase: 'logged-in', loginOk });
    let sent = 0;
    for (let k = 0; k < order.seconds; k++) {
      const tick = Date.now();
      // Spread each second's frames over the second, as independent vehicles would.
      const slice = Math.ceil(fleet.length / 10);
      for (let part = 0; part < 10; part++) {
        const time = beijingIso(Date.now());
        for (let i = part * slice; i < Math.min(fleet.length, (part + 1) * slice); i++) {
          const seq = k * fleet.length + i;
          fleet[i]!.send(fleet[i]!.frame(0x02, { ...realtimeData(time), vehicle: { ...realtimeData(time).vehicle, mileage: order.mileageBase + seq / 10 } }));
          sent++;
        }
        await new Promise((r) => setTimeout(r, Math.max(0, tick + (part + 1) * 100 - Date.now())));
      }
    }
    const until = Date.now() + 30_000;
    const replies = () => fleet.reduce((n, v) => n + v.received.filter((r) => r.raw[2] === 0x02 && r.frame.responseFlag.code === 1).length, 0);
    while (replies() < sent && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
    process.send!({ phase: 'done', sent, replies: replies(), closed: fleet.filter((v) => v.closed).length });
    for (const v of fleet) v.close();
  })().catch((err: unknown) => {
    process.send!({ phase: 'failed', error: String(err) });
  });
});
