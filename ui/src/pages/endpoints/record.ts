// The inputs of an endpoint's model (Open Inference Protocol metadata) and the prediction
// record the "Try it" form builds from what was typed.

export interface ModelInput {
  name: string;
  datatype: string; // FP64, BOOL or BYTES
  shape: number[];
}

export interface ModelMetadata {
  name: string;
  versions: string[];
  inputs: ModelInput[];
  outputs: { name: string; datatype: string; parameters?: { classes?: string[] } }[];
}

export type Values = Record<string, string>;

// An empty field is a missing value (null); numbers go as JSON numbers, booleans as
// true/false, text as strings. Throws naming the column when a number does not read.
export function buildRecord(inputs: ModelInput[], values: Values): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const input of inputs) {
    const text = (values[input.name] ?? '').trim();
    if (text === '') {
      record[input.name] = null;
    } else if (input.datatype === 'BOOL') {
      record[input.name] = text === 'true';
    } else if (input.datatype === 'BYTES') {
      record[input.name] = values[input.name];
    } else {
      const n = Number(text);
      if (!Number.isFinite(n)) throw new Error(`'${input.name}': ${text} is not a number`);
      record[input.name] = n;
    }
  }
  return record;
}

// A dataset cell as the text of the field for that input.
export function cellText(input: ModelInput, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (input.datatype === 'BOOL') {
    const text = String(value).toLowerCase();
    return ['true', '1', 'yes', 'y', 't'].includes(text) ? 'true' : 'false';
  }
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

// The same request as a curl command line, quoted for a POSIX shell.
export function curlCommand(name: string, body: unknown): string {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  const url = `${location.origin}/api/v1/endpoints/${encodeURIComponent(name)}/predict`;
  return [
    `curl -X POST ${quote(url)}`,
    `  -H "Authorization: Bearer $AIMASS_TOKEN"`,
    `  -H 'Content-Type: application/json'`,
    `  -d ${quote(JSON.stringify(body))}`,
  ].join(' \\\n');
}
