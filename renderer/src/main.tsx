import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createStudioClient } from './api/client.ts';
import { App } from './app/App.tsx';

const client = createStudioClient({ validate: import.meta.env.DEV });

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element.');
createRoot(root).render(
  <StrictMode>
    <App client={client} />
  </StrictMode>,
);
