import { useState } from 'react';
import {
  Box,
  Button,
  Card,
  CardContent,
  Chip,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  IconButton,
  List,
  ListItem,
  ListItemButton,
  ListItemText,
  Paper,
  Stack,
  TextField,
  Tooltip,
  Typography,
} from '@mui/material';
import CreateNewFolderIcon from '@mui/icons-material/CreateNewFolder';
import FolderOpenIcon from '@mui/icons-material/FolderOpen';
import ScienceIcon from '@mui/icons-material/Science';
import CloseIcon from '@mui/icons-material/Close';
import PlaylistRemoveIcon from '@mui/icons-material/PlaylistRemove';
import { useApiAction, useApiQuery } from '../api/hooks.ts';
import { useCurrentProject } from '../app/project.tsx';
import { useNotify } from '../app/notices.tsx';
import { useNavigation } from '../app/navigation.ts';
import { ErrorAlert, ViewHeader } from '../components/common.tsx';
import { PathField } from '../components/PathField.tsx';
import { PathPickerDialog } from '../components/PathPickerDialog.tsx';
import { formatTimestamp } from '../app/humanReadable.ts';

export function ProjectsView() {
  const { project } = useCurrentProject();
  const notify = useNotify();
  const { navigate } = useNavigation();
  const recent = useApiQuery('project.recent', {});
  const openProject = useApiAction('project.open');
  const openDemo = useApiAction('project.openDemo');
  const closeProject = useApiAction('project.close');
  const forget = useApiAction('project.forget');
  const [creating, setCreating] = useState(false);
  const [picking, setPicking] = useState(false);

  const open = async (folder: string) => {
    try {
      const info = await openProject.run({ folder });
      recent.refresh();
      notify('success', `Opened ${info.name}.`);
    } catch {
      // shown by ErrorAlert
    }
  };

  const error = openProject.error ?? openDemo.error ?? closeProject.error ?? forget.error;

  return (
    <Box sx={{ maxWidth: 960 }}>
      <ViewHeader
        title="Projects"
        subtitle="A project is a folder on the studio machine holding its catalogue and arrays."
        actions={
          <>
            <Button variant="contained" startIcon={<CreateNewFolderIcon />} onClick={() => setCreating(true)} data-testid="project-new">
              New project…
            </Button>
            <Button variant="outlined" startIcon={<FolderOpenIcon />} onClick={() => setPicking(true)} data-testid="project-open">
              Open project…
            </Button>
            <Button
              variant="outlined"
              startIcon={<ScienceIcon />}
              disabled={openDemo.busy}
              data-testid="project-open-demo"
              onClick={() =>
                void openDemo.run({}).then(
                  (info) => {
                    recent.refresh();
                    notify('success', `Opened ${info.name}. Its example data is imported by jobs on first use.`, {
                      label: 'Show jobs',
                      onClick: () => navigate('jobs'),
                    });
                  },
                  () => {},
                )
              }
            >
              {openDemo.busy ? 'Opening demo…' : 'Open demo project'}
            </Button>
          </>
        }
      />
      <ErrorAlert error={error} testId="projects-error" onClose={() => {
        openProject.clearError();
        openDemo.clearError();
        closeProject.clearError();
        forget.clearError();
      }} />

      <Card variant="outlined" sx={{ mb: 3 }} data-testid="current-project">
        <CardContent>
          <Typography variant="overline" color="text.secondary">
            Current project
          </Typography>
          {project ? (
            <Stack direction="row" sx={{ alignItems: 'center', gap: 2 }}>
              <Box sx={{ flex: 1, minWidth: 0 }}>
                <Typography variant="h6" data-testid="current-project-name">
                  {project.name} {project.isDemo && <Chip size="small" label="demo" color="secondary" variant="outlined" sx={{ ml: 1 }} />}
                </Typography>
                <Typography variant="body2" color="text.secondary" noWrap title={project.folder} data-testid="current-project-folder">
                  {project.folder}
                </Typography>
                <Typography variant="caption" color="text.secondary">
                  Created {formatTimestamp(project.createdAt)}
                </Typography>
              </Box>
              <Button onClick={() => navigate('datasets')} data-testid="current-project-datasets">
                Datasets
              </Button>
              <Button
                color="inherit"
                startIcon={<CloseIcon />}
                disabled={closeProject.busy}
                onClick={() => void closeProject.run({}).then(() => recent.refresh(), () => {})}
                data-testid="project-close"
              >
                Close
              </Button>
            </Stack>
          ) : (
            <Typography color="text.secondary" data-testid="current-project-none">
              No project is open. Create one, open an existing folder or try the demo project.
            </Typography>
          )}
        </CardContent>
      </Card>

      <Typography variant="h6" sx={{ mb: 1 }}>
        Recent projects
      </Typography>
      <ErrorAlert error={recent.error} testId="recent-error" />
      <Paper variant="outlined">
        {recent.data && recent.data.length === 0 && (
          <Typography color="text.secondary" sx={{ p: 2 }} data-testid="recent-empty">
            No recent projects yet.
          </Typography>
        )}
        <List disablePadding data-testid="recent-list">
          {recent.data?.map((entry) => {
            const isCurrent = project?.folder === entry.folder;
            return (
              <ListItem
                key={entry.folder}
                disablePadding
                divider
                data-testid="recent-project"
                data-folder={entry.folder}
                data-missing={entry.exists ? undefined : 'true'}
                secondaryAction={
                  <Tooltip title="Remove from this list (the folder stays)">
                    <IconButton
                      edge="end"
                      aria-label={`Forget ${entry.name}`}
                      data-testid="recent-project-forget"
                      onClick={() => void forget.run({ folder: entry.folder }).then(() => recent.refresh(), () => {})}
                    >
                      <PlaylistRemoveIcon />
                    </IconButton>
                  </Tooltip>
                }
              >
                <ListItemButton
                  disabled={!entry.exists || openProject.busy}
                  onClick={() => (isCurrent ? navigate('datasets') : void open(entry.folder))}
                  data-testid="recent-project-open"
                  sx={{ pr: 8 }}
                >
                  <ListItemText
                    primary={
                      <Stack direction="row" sx={{ alignItems: 'center', gap: 1 }} component="span">
                        <span>{entry.name}</span>
                        {isCurrent && <Chip size="small" label="open" color="primary" variant="outlined" component="span" />}
                        {!entry.exists && <Chip size="small" label="missing" color="warning" variant="outlined" component="span" data-testid="recent-project-missing" />}
                      </Stack>
                    }
                    secondary={`${entry.folder} · opened ${formatTimestamp(entry.openedAt)}`}
                    slotProps={{ secondary: { noWrap: true, title: entry.folder } }}
                  />
                </ListItemButton>
              </ListItem>
            );
          })}
        </List>
      </Paper>

      <NewProjectDialog
        open={creating}
        onClose={() => setCreating(false)}
        onCreated={(name) => {
          setCreating(false);
          recent.refresh();
          notify('success', `Created ${name}.`);
        }}
      />
      <PathPickerDialog
        open={picking}
        title="Open a project folder"
        mode="folder"
        onClose={() => setPicking(false)}
        onSelect={([folder]) => {
          setPicking(false);
          if (folder) void open(folder);
        }}
      />
    </Box>
  );
}

function NewProjectDialog({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (name: string) => void }) {
  const [name, setName] = useState('');
  const [folder, setFolder] = useState('');
  const create = useApiAction('project.create');
  const valid = name.trim().length > 0 && folder.trim().length > 0;

  const submit = async () => {
    try {
      const info = await create.run({ folder: folder.trim(), name: name.trim() });
      setName('');
      setFolder('');
      onCreated(info.name);
    } catch {
      // shown below
    }
  };

  return (
    <Dialog open={open} onClose={onClose} maxWidth="sm" fullWidth data-testid="new-project-dialog" aria-labelledby="new-project-title">
      <DialogTitle id="new-project-title">New project</DialogTitle>
      <DialogContent>
        <Stack
          spacing={2}
          sx={{ pt: 1 }}
          component="form"
          id="new-project-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (valid) void submit();
          }}
        >
          <ErrorAlert error={create.error} testId="new-project-error" />
          <TextField
            label="Name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            autoFocus
            required
            slotProps={{ htmlInput: { 'data-testid': 'new-project-name', maxLength: 200 } }}
          />
          <PathField
            label="Folder"
            value={folder}
            onChange={setFolder}
            required
            helperText="A new or empty folder on the studio machine; it is created if it does not exist. Browse to a parent and add the new folder's name."
            inputTestId="new-project-folder"
            browseTestId="new-project-browse"
            pickerTitle="Choose the project folder (or its parent)"
          />
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} data-testid="new-project-cancel">
          Cancel
        </Button>
        <Button variant="contained" type="submit" form="new-project-form" disabled={!valid || create.busy} data-testid="new-project-create">
          Create
        </Button>
      </DialogActions>
    </Dialog>
  );
}
