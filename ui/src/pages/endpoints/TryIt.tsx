// "Try it": one field per model input (from GET /v2/models/{name}), a row of the training
// dataset on request, a prediction, and the same request as a curl command.
import { useRef, useState, type FormEvent } from 'react';
import { errorText, getJson, path, postJson } from '../../api/client';
import type { Endpoint, ModelVersionDetail, Preview } from '../../api/types';
import { ErrorNote } from '../../components/ErrorNote';
import { Field } from '../../components/Field';
import { usePoll } from '../../hooks/usePoll';
import { PredictionResult, type PredictAnswer } from './PredictionResult';
import { buildRecord, cellText, curlCommand, type ModelInput, type ModelMetadata, type Values } from './record';

interface Serving {
  name?: string;
  version?: number;
}

export function TryIt({ endpoint }: { endpoint: Endpoint }) {
  const name = endpoint.name;
  const serving = (endpoint.serving ?? {}) as Serving;
  const metadata = usePoll(() => getJson<ModelMetadata>(path`/v2/models/${name}`), [name, serving.name, serving.version]);
  const inputs = metadata.data?.inputs ?? [];
  const [values, setValues] = useState<Values>({});
  const [answer, setAnswer] = useState<PredictAnswer>();
  const [error, setError] = useState<string>();
  const [fillNote, setFillNote] = useState<string>();
  const [fillError, setFillError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const nextRow = useRef(0);

  let body: unknown = null;
  try {
    body = { instances: [buildRecord(inputs, values)] };
  } catch {
    body = null;
  }

  const fill = async () => {
    setFillError(undefined);
    try {
      if (!serving.name || serving.version === undefined) throw new Error('the endpoint is not serving a model version yet');
      const version = await getJson<ModelVersionDetail>(path`/api/v1/models/${serving.name}/versions/${serving.version}`);
      const ref = typeof version.lineage?.dataset === 'string' ? version.lineage.dataset : '';
      if (!ref) throw new Error(`the lineage of ${serving.name}@${serving.version} names no dataset`);
      const at = ref.lastIndexOf('@');
      const dataset = at > 0 ? ref.slice(0, at) : ref;
      const v = at > 0 ? ref.slice(at + 1) : 'latest';
      const offset = nextRow.current;
      const preview = await getJson<Preview>(path`/api/v1/datasets/${dataset}/versions/${v}/preview` + `?offset=${offset}&limit=1`);
      const row = preview.rows[0];
      if (!row) throw new Error(`${ref} has no row ${offset + 1}`);
      nextRow.current = preview.total_rows > 0 ? (offset + 1) % preview.total_rows : 0;
      const filled: Values = {};
      for (const input of inputs) {
        const c = preview.columns.findIndex((col) => col.name === input.name);
        filled[input.name] = c >= 0 ? cellText(input, row[c]) : '';
      }
      setValues(filled);
      setAnswer(undefined);
      setFillNote(`Row ${offset + 1} of ${preview.total_rows} from ${ref}`);
    } catch (e) {
      setFillError(errorText(e));
    }
  };

  const predict = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setBusy(true);
    try {
      const request = { instances: [buildRecord(inputs, values)] };
      setAnswer(await postJson<PredictAnswer>(path`/api/v1/endpoints/${name}/predict`, request));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="try-heading">
      <h2 id="try-heading" className="ep-first-heading">Try it</h2>
      <ErrorNote error={metadata.error && `The model's inputs cannot be read: ${metadata.error}`} />
      <form onSubmit={(e) => void predict(e)}>
        <div className="form-grid ep-inputs">
          {inputs.map((input) => (
            <InputField
              key={input.name}
              input={input}
              value={values[input.name] ?? ''}
              onChange={(value) => {
                setValues((old) => ({ ...old, [input.name]: value }));
                setAnswer(undefined);
              }}
            />
          ))}
        </div>
        <div className="row">
          <button type="button" className="secondary" onClick={() => void fill()} disabled={inputs.length === 0}>
            Fill from dataset
          </button>
          {fillNote && !fillError && <span className="muted">{fillNote}</span>}
        </div>
        <ErrorNote error={fillError} />
        <div className="row ep-predict-row">
          <button type="submit" disabled={busy || inputs.length === 0}>
            Predict
          </button>
          <span className="muted">Empty fields are sent as null (a missing value).</span>
        </div>
        <ErrorNote error={error} />
      </form>
      {answer && <PredictionResult endpoint={name} answer={answer} />}
      {body !== null && (
        <details className="ep-curl" open>
          <summary>The same request with curl</summary>
          <pre>{curlCommand(name, body)}</pre>
        </details>
      )}
    </section>
  );
}

function InputField({ input, value, onChange }: { input: ModelInput; value: string; onChange: (value: string) => void }) {
  const hint = input.datatype === 'FP64' ? 'number' : input.datatype === 'BOOL' ? 'true / false' : 'text';
  return (
    <Field label={input.name} hint={hint}>
      {(id) =>
        input.datatype === 'BOOL' ? (
          <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
            <option value="">(missing)</option>
            <option value="true">true</option>
            <option value="false">false</option>
          </select>
        ) : (
          <input id={id} type={input.datatype === 'FP64' ? 'number' : 'text'} step="any" value={value} onChange={(e) => onChange(e.target.value)} />
        )
      }
    </Field>
  );
}
