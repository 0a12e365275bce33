// A sink that counts the bytes it takes, one chunk per event-loop turn, with the back-pressure of a
// socket buffer of `highWaterMark` bytes (the slow client of export tests and benchmarks).
import { Writable } from 'node:stream';

export function countingSink(highWaterMark: number): Writable & { bytes: number } {
  const w = new Writable({
    highWaterMark,
    write(chunk: Buffer, _enc, cb) {
      w.bytes += chunk.length;
      setImmediate(cb);
    },
  }) as Writable & { bytes: number };
  w.bytes = 0;
  return w;
}
