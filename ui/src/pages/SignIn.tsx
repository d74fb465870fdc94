// Sign in with a user name and password (a 12-hour session), or with an API token.
import { useState, type FormEvent } from 'react';
import { errorText } from '../api/client';
import { useAuth } from '../auth';
import { ErrorNote } from '../components/ErrorNote';
import { Field } from '../components/Field';
import { navigate } from '../router';

export default function SignIn() {
  const { signInWithPassword, signInWithToken } = useAuth();
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [token, setToken] = useState('');
  const [passwordError, setPasswordError] = useState<string>();
  const [tokenError, setTokenError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const next = () => {
    const back = new URLSearchParams(location.search).get('next');
    navigate(back && back.startsWith('/') && !back.startsWith('//') ? back : '/datasets', true);
  };

  const withPassword = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setPasswordError(undefined);
    try {
      await signInWithPassword(user, password);
      next();
    } catch (e) {
      setPasswordError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const withToken = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setTokenError(undefined);
    try {
      await signInWithToken(token);
      next();
    } catch (e) {
      setTokenError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="signin">
      <h1>aimass</h1>
      <form onSubmit={withPassword} aria-label="Sign in with a password">
        <h2>Sign in</h2>
        <Field label="User">{(id) => <input id={id} autoComplete="username" value={user} onChange={(e) => setUser(e.target.value)} required />}</Field>
        <Field label="Password">
          {(id) => <input id={id} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />}
        </Field>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        <ErrorNote error={passwordError} />
      </form>
      <form onSubmit={withToken} aria-label="Sign in with a token">
        <h2>Or use an API token</h2>
        <Field label="Token" hint="The admin token that `aimass serve` printed on its first start, or one from `aimass tokens create`.">
          {(id) => <input id={id} type="password" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} required />}
        </Field>
        <button type="submit" disabled={busy}>
          Use token
        </button>
        <ErrorNote error={tokenError} />
      </form>
    </main>
  );
}
