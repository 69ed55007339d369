import { Button } from '@mui/material';
import { useApiAction } from '../api/hooks.ts';
import { EmptyState, ErrorAlert } from '../components/common.tsx';

/** Shown by views that need a project while none is open. */
export function NoProject({ onGoToProjects }: { onGoToProjects: () => void }) {
  const openDemo = useApiAction('project.openDemo');
  return (
    <EmptyState title="No project is open" testId="no-project">
      <span>Open or create a project to see its datasets and jobs.</span>
      <ErrorAlert error={openDemo.error} testId="no-project-error" />
      <span>
        <Button variant="contained" onClick={onGoToProjects} data-testid="no-project-go-projects" sx={{ mr: 1 }}>
          Go to projects
        </Button>
        <Button variant="outlined" disabled={openDemo.busy} onClick={() => void openDemo.run({}).catch(() => {})} data-testid="no-project-open-demo">
          Open the demo project
        </Button>
      </span>
    </EmptyState>
  );
}
