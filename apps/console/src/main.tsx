import { StrictMode, useEffect, useRef, useState, type FormEvent } from 'react';
import { createRoot } from 'react-dom/client';
import { AdminView } from './admin';
import { apiFor, type Api, type Role } from './api';
import { AuditView } from './auditor';
import { LearnerView } from './learner';
import { ReportsView } from './reports';
import { messageOf } from './ui';
import './styles.css';

/** The key stays in this tab's session storage: gone when the tab closes or on sign-out. */
const KEY_ITEM = 'cme-console-api-key';

type View = 'learner' | 'reports' | 'audit' | 'operations';

const VIEW_NAMES: Record<View, string> = {
  learner: 'Learner',
  reports: 'Reports',
  audit: 'Audit',
  operations: 'Operations',
};

/** What each role may call, as the API allows it (see the README's table of roles). */
const VIEWS_BY_ROLE: Record<Role, View[]> = {
  service: [],
  compliance: ['learner', 'reports'],
  auditor: ['audit', 'learner', 'reports'],
  admin: ['operations', 'learner', 'reports'],
};

const ROLE_NAMES: Record<Role, string> = {
  service: 'Service',
  compliance: 'Compliance officer',
  auditor: 'Auditor',
  admin: 'Administrator',
};

interface Session {
  api: Api;
  role: Role;
}

function App() {
  const [session, setSession] = useState<Session>();
  const [restoring, setRestoring] = useState(() => sessionStorage.getItem(KEY_ITEM) !== null);
  useEffect(() => {
    const key = sessionStorage.getItem(KEY_ITEM);
    if (!key) return;
    const api = apiFor(key);
    api
      .role()
      .then((role) => setSession({ api, role }))
      .catch(() => sessionStorage.removeItem(KEY_ITEM))
      .finally(() => setRestoring(false));
  }, []);
  const signOut = () => {
    sessionStorage.removeItem(KEY_ITEM);
    setSession(undefined);
  };
  if (restoring)
    return (
      <p role="status" className="status page">
        Signing in…
      </p>
    );
  if (!session) return <SignIn onSignedIn={setSession} />;
  return <Console session={session} onSignOut={signOut} />;
}

function SignIn(props: { onSignedIn: (session: Session) => void }) {
  const [key, setKey] = useState('');
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      const api = apiFor(key.trim());
      const role = await api.role();
      if (VIEWS_BY_ROLE[role].length === 0) {
        setProblem(
          'This is a service key: the console is for compliance officers, auditors and administrators.',
        );
        return;
      }
      sessionStorage.setItem(KEY_ITEM, key.trim());
      props.onSignedIn({ api, role });
    } catch (error) {
      setProblem(messageOf(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="sign-in">
      <h1>CME credit ledger</h1>
      <p>Console for compliance officers, auditors and administrators.</p>
      <form onSubmit={(e) => void submit(e)} method="post" action="#">
        <label>
          API key
          <input
            type="password"
            name="apiKey"
            value={key}
            onChange={(e) => setKey(e.target.value)}
            autoComplete="current-password"
            required
          />
        </label>
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        {problem ? (
          <p className="error" role="alert">
            {problem}
          </p>
        ) : null}
      </form>
      <p className="note">
        Your role's key is kept in this browser tab only, and sent to the service in a header.
      </p>
    </main>
  );
}

function Console(props: { session: Session; onSignOut: () => void }) {
  const views = VIEWS_BY_ROLE[props.session.role];
  const [view, setView] = useState<View>(views[0] ?? 'learner');
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [view]);
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">CME credit ledger</span>
        <nav aria-label="Views">
          {views.map((v) => (
            <button
              key={v}
              type="button"
              className="tab"
              aria-current={v === view ? 'page' : undefined}
              onClick={() => setView(v)}
            >
              {VIEW_NAMES[v]}
            </button>
          ))}
        </nav>
        <span className="who" data-testid="role">
          {ROLE_NAMES[props.session.role]}
        </span>
        <button type="button" className="secondary sign-out" onClick={props.onSignOut}>
          Sign out
        </button>
      </header>
      <main id="main">
        <h1 ref={heading} tabIndex={-1}>
          {VIEW_NAMES[view]}
        </h1>
        {view === 'learner' ? <LearnerView api={props.session.api} /> : null}
        {view === 'reports' ? <ReportsView api={props.session.api} /> : null}
        {view === 'audit' ? <AuditView api={props.session.api} /> : null}
        {view === 'operations' ? <AdminView api={props.session.api} /> : null}
      </main>
    </>
  );
}

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
