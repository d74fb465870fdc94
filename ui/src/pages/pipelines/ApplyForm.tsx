// The "Apply pipeline" form: paste YAML, check it, apply it as a new version.
import { useId, useRef, useState, type FormEvent } from 'react';
import { ApiError, errorText, postJson } from '../../api/client';
import { ErrorNote } from '../../components/ErrorNote';
import { Field } from '../../components/Field';
import { Link } from '../../router';
import { offsetOf, problemsIn, type Problem } from './problems';
import type { Applied } from './types';

type Outcome = { kind: 'checked'; steps: number } | { kind: 'applied'; answer: Applied };

export function ApplyForm({ onApplied }: { onApplied: () => void }) {
  const [yaml, setYaml] = useState('');
  const [busy, setBusy] = useState<'Checking' | 'Applying'>();
  const [error, setError] = useState<string>();
  const [problems, setProblems] = useState<Problem[]>([]);
  const [outcome, setOutcome] = useState<Outcome>();
  const area = useRef<HTMLTextAreaElement>(null);
  const problemsId = useId();

  const send = async (dryRun: boolean) => {
    setBusy(dryRun ? 'Checking' : 'Applying');
    setError(undefined);
    setProblems([]);
    setOutcome(undefined);
    try {
      const answer = await postJson<Applied>(`/api/v1/pipelines${dryRun ? '?dry_run=true' : ''}`, { yaml });
      if (dryRun) setOutcome({ kind: 'checked', steps: answer.spec?.steps?.length ?? 0 });
      else {
        setOutcome({ kind: 'applied', answer });
        onApplied();
      }
    } catch (e) {
      const listed = e instanceof ApiError && e.status === 400 ? problemsIn(e.message) : [];
      if (listed.length) {
        setProblems(listed);
        setError(e instanceof ApiError ? e.message.split('\n')[0] : undefined);
      } else setError(errorText(e));
    } finally {
      setBusy(undefined);
    }
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void send(false);
  };

  const goTo = (p: Problem) => {
    const element = area.current;
    if (!element) return;
    const at = offsetOf(yaml, p.line, p.column);
    element.focus();
    element.setSelectionRange(at, at);
  };

  return (
    <form className="panel apply-form" onSubmit={submit}>
      <h2>Apply pipeline</h2>
      <Field label="Pipeline YAML" hint="A name, triggers and steps; see docs/api.md, “Pipelines”.">
        {(id) => (
          <textarea
            id={id}
            ref={area}
            value={yaml}
            spellCheck={false}
            aria-describedby={problems.length ? problemsId : undefined}
            aria-invalid={problems.length > 0}
            onChange={(e) => setYaml(e.target.value)}
          />
        )}
      </Field>
      {error && <ErrorNote error={error} />}
      {problems.length > 0 && (
        <ul className="problems" id={problemsId} aria-label="Problems in the pipeline">
          {problems.map((p, i) => (
            <li key={i}>
              <button type="button" className="link-button" onClick={() => goTo(p)}>
                Line {p.line}, column {p.column}
              </button>
              : {p.text}
            </li>
          ))}
        </ul>
      )}
      <div className="row">
        <button type="button" className="secondary" disabled={busy !== undefined || !yaml.trim()} onClick={() => void send(true)}>
          Check
        </button>
        <button type="submit" disabled={busy !== undefined || !yaml.trim()}>
          Apply
        </button>
        {busy && (
          <span className="muted" role="status">
            {busy}…
          </span>
        )}
      </div>
      {outcome?.kind === 'checked' && (
        <p className="notice" role="status">
          The pipeline is valid: {outcome.steps} step{outcome.steps === 1 ? '' : 's'}.
        </p>
      )}
      {outcome?.kind === 'applied' && <AppliedNote answer={outcome.answer} />}
    </form>
  );
}

function AppliedNote({ answer }: { answer: Applied }) {
  const name = answer.name ?? '';
  return (
    <div className="notice" role="status">
      <p>
        {answer.changed === false
          ? `Nothing changed: version ${answer.version} of ${name} already says the same.`
          : `Applied ${name} as version ${answer.version}.`}{' '}
        <Link to={`/pipelines/${encodeURIComponent(name)}`}>Open pipeline {name}</Link>
      </p>
      {answer.webhook_token && (
        <p className="token">
          Webhook token (shown only now; keep it): <code>{answer.webhook_token}</code>
          {answer.webhook_url && (
            <>
              <br />
              POST it as <code>X-Aimass-Webhook-Token</code> to <code>{answer.webhook_url}</code>
            </>
          )}
        </p>
      )}
    </div>
  );
}
