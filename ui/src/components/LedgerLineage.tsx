// The ledger entries behind a model or dataset version, each checked in the browser: its
// leaf hash is SHA-256(0x00 || entry text) and its RFC 9162 inclusion proof leads to the
// signed tree head's root. The head's Ed25519 signature is checked too where the browser can.
import { useEffect, useState } from 'react';
import { getJson } from '../api/client';
import { usePoll } from '../hooks/usePoll';
import { ErrorNote } from './ErrorNote';

interface Head {
  format?: string;
  size: number;
  root: string;
  timestamp_ms: number;
  signature: string;
  public_key: string;
}

interface ProvenEntry {
  index: number;
  at: number;
  actor: string;
  action: string;
  subject: string;
  details: unknown;
  entry: string;
  leaf_hash: string;
  sealed: boolean;
  inclusion_proof: string[];
}

interface LineageAnswer {
  head: Head | null;
  entries: ProvenEntry[];
}

type Check = { state: 'checking' } | { state: 'verified' } | { state: 'failed'; why: string } | { state: 'unsealed' };

type Bytes = Uint8Array<ArrayBuffer>;

function fromHex(hex: string): Bytes {
  if (!/^([0-9a-fA-F]{2})*$/.test(hex)) throw new Error(`"${hex.slice(0, 16)}…" is not hex`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function toHex(data: Uint8Array): string {
  return Array.from(data, (b) => b.toString(16).padStart(2, '0')).join('');
}

async function sha256(...parts: Bytes[]): Promise<Bytes> {
  const joined = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    joined.set(part, at);
    at += part.length;
  }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', joined));
}

const kLeaf = new Uint8Array([0]);
const kNode = new Uint8Array([1]);

// RFC 9162 section 2.1.3.2: the root that `proof` leads to from leaf `index` of `size` leaves.
async function rootFromProof(leaf: Bytes, index: number, size: number, proof: Bytes[]): Promise<Bytes> {
  if (index >= size) throw new Error(`entry ${index} is past the head's ${size} entries`);
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) throw new Error(`the proof has ${proof.length} hashes, more than a tree of ${size} needs`);
    if (fn % 2 === 1 || fn === sn) {
      r = await sha256(kNode, p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = await sha256(kNode, r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new Error(`the proof has ${proof.length} hashes, fewer than a tree of ${size} needs`);
  return r;
}

// The columns shown come from the hashed text: any that differ would show what was not signed.
function differingField(entry: ProvenEntry): string | undefined {
  let text: Record<string, unknown>;
  try {
    text = JSON.parse(entry.entry) as Record<string, unknown>;
  } catch {
    return 'entry text';
  }
  for (const key of ['index', 'at', 'actor', 'action', 'subject'] as const) {
    if (text[key] !== entry[key]) return key;
  }
  if (JSON.stringify(text.details ?? {}) !== JSON.stringify(entry.details ?? {})) return 'details';
  return undefined;
}

async function verifyEntry(entry: ProvenEntry, head: Head | null): Promise<Check> {
  if (!entry.sealed || !head) return { state: 'unsealed' };
  if (!globalThis.crypto?.subtle) return { state: 'failed', why: 'this page is not a secure context (https), so the browser offers no SHA-256' };
  try {
    const leaf = await sha256(kLeaf, new TextEncoder().encode(entry.entry));
    if (toHex(leaf) !== entry.leaf_hash.toLowerCase()) {
      return { state: 'failed', why: `the entry text hashes to ${toHex(leaf).slice(0, 12)}…, not to its leaf hash ${entry.leaf_hash.slice(0, 12)}…` };
    }
    const root = await rootFromProof(leaf, entry.index, head.size, entry.inclusion_proof.map(fromHex));
    if (toHex(root) !== head.root.toLowerCase()) {
      return { state: 'failed', why: `the proof leads to root ${toHex(root).slice(0, 12)}…, not the head's ${head.root.slice(0, 12)}…` };
    }
    const differs = differingField(entry);
    if (differs) return { state: 'failed', why: `the ${differs} shown is not the one in the hashed entry text` };
    return { state: 'verified' };
  } catch (e) {
    return { state: 'failed', why: e instanceof Error ? e.message : String(e) };
  }
}

// The 68 signed bytes: "aimass-tree-head-v1", 0x00, size (u64 BE), root, timestamp_ms (i64 BE).
async function verifyHead(head: Head): Promise<string> {
  if (!globalThis.crypto?.subtle) return 'not checked: no WebCrypto on a page that is not https';
  const message = new Uint8Array(68);
  message.set(new TextEncoder().encode('aimass-tree-head-v1'), 0);
  const view = new DataView(message.buffer);
  view.setBigUint64(20, BigInt(head.size));
  message.set(fromHex(head.root), 28);
  view.setBigInt64(60, BigInt(head.timestamp_ms));
  try {
    const key = await crypto.subtle.importKey('raw', fromHex(head.public_key), { name: 'Ed25519' }, false, ['verify']);
    const ok = await crypto.subtle.verify({ name: 'Ed25519' }, key, fromHex(head.signature), message);
    return ok ? 'valid (Ed25519, by the server key below)' : 'INVALID: the signature does not match the head';
  } catch {
    return 'not checked: this browser has no Ed25519 in WebCrypto';
  }
}

function CheckBadge({ check }: { check: Check | undefined }) {
  if (!check || check.state === 'checking') return <span className="badge">checking…</span>;
  if (check.state === 'verified') return <span className="badge ok">verified</span>;
  if (check.state === 'unsealed') return <span className="badge queued">not yet sealed</span>;
  return (
    <span className="badge failed" style={{ minWidth: '12rem', whiteSpace: 'normal' }}>
      not verified: {check.why}
    </span>
  );
}

export function LedgerLineage({ url }: { url: string }) {
  const lineage = usePoll(() => getJson<LineageAnswer>(url), [url]);
  const [checks, setChecks] = useState<Record<number, Check>>({});
  const [signature, setSignature] = useState<string>();

  useEffect(() => {
    const data = lineage.data;
    setChecks({});
    setSignature(undefined);
    if (!data) return;
    let live = true;
    if (data.head) void verifyHead(data.head).then((text) => live && setSignature(text));
    void Promise.all(data.entries.map((entry) => verifyEntry(entry, data.head))).then((results) => {
      if (!live) return;
      const next: Record<number, Check> = {};
      data.entries.forEach((entry, i) => (next[entry.index] = results[i]));
      setChecks(next);
    });
    return () => {
      live = false;
    };
  }, [lineage.data]);

  if (lineage.error) return <ErrorNote error={`The ledger lineage could not be loaded: ${lineage.error}`} />;
  if (!lineage.data) return <p className="loading">Loading the ledger…</p>;
  const { head, entries } = lineage.data;
  const unsealed = entries.some((e) => !e.sealed);
  const verified = entries.filter((e) => checks[e.index]?.state === 'verified').length;
  return (
    <section aria-label="Ledger lineage">
      <h3>Signed tree head</h3>
      {head ? (
        <dl className="facts">
          <dt>Size</dt>
          <dd>{head.size.toLocaleString('en-US')} entries</dd>
          <dt>Root</dt>
          <dd className="mono">{head.root}</dd>
          <dt>Signed at</dt>
          <dd>{new Date(head.timestamp_ms).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'medium' })}</dd>
          <dt>Signature</dt>
          <dd>{signature ?? 'checking…'}</dd>
          <dt>Server key</dt>
          <dd className="mono">{head.public_key}</dd>
        </dl>
      ) : (
        <p className="muted">The ledger has no signed head yet, so no entry can be proven.</p>
      )}
      <h3>Entries</h3>
      <p className="muted">
        {entries.length} entries; {verified} verified in this browser against the head
        {unsealed ? ' (entries written since the head are sealed within a second: reload to check them)' : ''}.
      </p>
      <div className="table-wrap">
        <table className="grid" aria-label="Ledger entries">
          <thead>
            <tr>
              <th>#</th>
              <th>Proof</th>
              <th>Action</th>
              <th>Subject</th>
              <th>Actor</th>
              <th>Time</th>
              <th>Details</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry) => (
              <tr key={entry.index}>
                <td>{entry.index}</td>
                <td>
                  <CheckBadge check={checks[entry.index]} />
                </td>
                <td>{entry.action}</td>
                <td className="mono">{entry.subject}</td>
                <td>{entry.actor}</td>
                <td style={{ whiteSpace: 'nowrap' }}>{new Date(entry.at).toLocaleString('en-GB', { dateStyle: 'short', timeStyle: 'medium' })}</td>
                <td>
                  <details>
                    <summary style={{ whiteSpace: 'nowrap' }}>details</summary>
                    <pre>{JSON.stringify(entry.details, null, 2)}</pre>
                  </details>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <button type="button" className="secondary" onClick={lineage.reload}>
        Reload and check again
      </button>
    </section>
  );
}
