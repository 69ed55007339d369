import { useEffect, useState } from 'react';
import {
  Alert,
  Box,
  Breadcrumbs,
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  IconButton,
  LinearProgress,
  Link,
  List,
  ListItemButton,
  ListItemIcon,
  ListItemText,
  Stack,
  TextField,
  Tooltip,
  Typography,
} from '@mui/material';
import FolderIcon from '@mui/icons-material/Folder';
import InsertDriveFileIcon from '@mui/icons-material/InsertDriveFileOutlined';
import ArrowUpwardIcon from '@mui/icons-material/ArrowUpward';
import { useApiQuery } from '../api/hooks.ts';
import { formatBytes } from '../app/humanReadable.ts';

export type PathPickerMode =
  /** Choose one folder (the one being shown). */
  | 'folder'
  /** Choose one or more files, or — when none is ticked — the folder being shown. */
  | 'filesOrFolder'
  /** Choose exactly one file. */
  | 'file';

export interface PathPickerProps {
  open: boolean;
  title: string;
  mode: PathPickerMode;
  /** Folder to start in; the studio user's home folder when absent. */
  initialFolder?: string | null;
  /** Which files to offer in the file modes, e.g. /\.(sgy|segy)$/i; all files when absent. */
  fileFilter?: RegExp;
  onClose: () => void;
  onSelect: (paths: string[]) => void;
}

/**
 * Browses folders on the studio machine through `fs.list` (the browser shell has no native dialog,
 * and the files are on the studio's machine, not necessarily the browser's).
 */
export function PathPickerDialog(props: PathPickerProps) {
  const { open, title, mode, initialFolder, fileFilter, onClose, onSelect } = props;
  const [folder, setFolder] = useState<string | undefined>(initialFolder ?? undefined);
  const [typed, setTyped] = useState('');
  const [ticked, setTicked] = useState<string[]>([]);

  useEffect(() => {
    if (open) {
      setFolder(initialFolder ?? undefined);
      setTicked([]);
    }
  }, [open, initialFolder]);

  const listing = useApiQuery('fs.list', open ? { folder, showFiles: mode !== 'folder' } : null, { refreshOnProjectChange: false });
  const data = listing.data;
  useEffect(() => {
    if (data) setTyped(data.folder);
  }, [data]);

  const go = (target: string) => {
    setFolder(target);
    setTicked([]);
  };

  const files = data?.entries.filter((e) => e.kind === 'file' && (!fileFilter || fileFilter.test(e.name))) ?? [];
  const folders = data?.entries.filter((e) => e.kind === 'folder') ?? [];
  const crumbs = data ? splitPath(data.folder) : [];

  const toggle = (path: string) => {
    if (mode === 'file') setTicked((t) => (t[0] === path ? [] : [path]));
    else setTicked((t) => (t.includes(path) ? t.filter((p) => p !== path) : [...t, path]));
  };

  const selection: string[] = mode === 'folder' ? (data ? [data.folder] : []) : ticked.length > 0 ? ticked : mode === 'filesOrFolder' && data ? [data.folder] : [];
  const selectLabel =
    mode === 'folder'
      ? 'Select this folder'
      : ticked.length > 0
        ? `Select ${ticked.length} file${ticked.length === 1 ? '' : 's'}`
        : mode === 'filesOrFolder'
          ? 'Select this folder'
          : 'Select';

  return (
    <Dialog open={open} onClose={onClose} maxWidth="md" fullWidth data-testid="path-picker" aria-labelledby="path-picker-title">
      <DialogTitle id="path-picker-title">{title}</DialogTitle>
      <DialogContent dividers sx={{ p: 0 }}>
        <Stack direction="row" spacing={1} sx={{ px: 2, pt: 1.5, pb: 1, alignItems: 'center' }}>
          <Tooltip title="Parent folder">
            <span>
              <IconButton aria-label="Parent folder" data-testid="path-picker-up" disabled={!data?.parent} onClick={() => data?.parent && go(data.parent)}>
                <ArrowUpwardIcon />
              </IconButton>
            </span>
          </Tooltip>
          <Box
            component="form"
            sx={{ flex: 1, display: 'flex' }}
            onSubmit={(e) => {
              e.preventDefault();
              if (typed.trim()) go(typed.trim());
            }}
          >
            <TextField
              fullWidth
              label="Folder on the studio machine"
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              slotProps={{ htmlInput: { 'data-testid': 'path-picker-input', spellCheck: false } }}
            />
            <Button type="submit" sx={{ ml: 1 }} data-testid="path-picker-go">
              Go
            </Button>
          </Box>
        </Stack>
        {crumbs.length > 0 && (
          <Breadcrumbs maxItems={6} sx={{ px: 2, pb: 1 }} aria-label="Folder path">
            {crumbs.map((c, i) =>
              i === crumbs.length - 1 ? (
                <Typography key={c.path} color="text.primary" variant="body2">
                  {c.name}
                </Typography>
              ) : (
                <Link key={c.path} component="button" variant="body2" underline="hover" onClick={() => go(c.path)}>
                  {c.name}
                </Link>
              ),
            )}
          </Breadcrumbs>
        )}
        <Box sx={{ height: 4 }}>{listing.loading && <LinearProgress />}</Box>
        {listing.error && (
          <Alert severity="error" sx={{ mx: 2, my: 1 }} data-testid="path-picker-error">
            {listing.error.message}
          </Alert>
        )}
        <List dense sx={{ height: 360, overflow: 'auto' }} data-testid="path-picker-list">
          {folders.map((entry) => (
            <ListItemButton key={entry.path} onClick={() => go(entry.path)} data-testid="path-picker-entry" data-kind="folder" data-name={entry.name}>
              <ListItemIcon>
                <FolderIcon color="primary" fontSize="small" />
              </ListItemIcon>
              <ListItemText primary={entry.name} />
            </ListItemButton>
          ))}
          {mode !== 'folder' &&
            files.map((entry) => (
              <ListItemButton
                key={entry.path}
                selected={ticked.includes(entry.path)}
                onClick={() => toggle(entry.path)}
                data-testid="path-picker-entry"
                data-kind="file"
                data-name={entry.name}
              >
                <ListItemIcon>
                  {mode === 'file' ? (
                    <InsertDriveFileIcon fontSize="small" />
                  ) : (
                    <Checkbox edge="start" size="small" checked={ticked.includes(entry.path)} tabIndex={-1} disableRipple sx={{ p: 0 }} />
                  )}
                </ListItemIcon>
                <ListItemText primary={entry.name} secondary={formatBytes(entry.sizeBytes)} />
              </ListItemButton>
            ))}
          {data && folders.length === 0 && (mode === 'folder' || files.length === 0) && (
            <Typography variant="body2" color="text.secondary" sx={{ px: 2, py: 1 }}>
              {mode === 'folder' ? 'No subfolders.' : 'No subfolders or matching files.'}
            </Typography>
          )}
        </List>
      </DialogContent>
      <DialogActions>
        <Typography variant="body2" color="text.secondary" sx={{ flex: 1, pl: 1, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}>
          {selection.length === 1 ? selection[0] : selection.length > 1 ? `${selection.length} files` : ''}
        </Typography>
        <Button onClick={onClose} data-testid="path-picker-cancel">
          Cancel
        </Button>
        <Button variant="contained" disabled={selection.length === 0} data-testid="path-picker-select" onClick={() => onSelect(selection)}>
          {selectLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/** Breadcrumbs for POSIX (`/a/b`) and Windows (`C:\a\b`) paths. */
export function splitPath(folder: string): { name: string; path: string }[] {
  const windows = /^[A-Za-z]:[\\/]/.test(folder) || folder.startsWith('\\\\');
  const sep = windows ? '\\' : '/';
  const parts = folder.split(/[\\/]+/).filter((p) => p.length > 0);
  const crumbs: { name: string; path: string }[] = [];
  if (!windows) crumbs.push({ name: '/', path: '/' });
  let path = windows ? '' : '';
  for (const [i, part] of parts.entries()) {
    path = windows ? (i === 0 ? `${part}${sep}` : `${path}${path.endsWith(sep) ? '' : sep}${part}`) : `${path}/${part}`;
    crumbs.push({ name: part, path });
  }
  return crumbs;
}
