import { CopyTuples } from '../../libs/persistence/src/copy-binary';

/** Every row of binary COPY data, each field as UTF-8 text (null for NULL). */
export function copyRows(buf: Buffer): (string | null)[][] {
  const t = new CopyTuples(buf);
  const out: (string | null)[][] = [];
  for (let n = t.tuple(); n !== -1; n = t.tuple()) {
    const row: (string | null)[] = [];
    for (let f = 0; f < n; f++) {
      const len = t.length();
      row.push(len < 0 ? null : buf.toString('utf8', t.at, t.at + len));
      if (len > 0) t.at += len;
    }
    out.push(row);
  }
  return out;
}
