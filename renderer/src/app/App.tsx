import { useCallback, useEffect, useState, type ReactNode } from 'react';
import {
  AppBar,
  Badge,
  Box,
  Chip,
  CssBaseline,
  Divider,
  Drawer,
  IconButton,
  List,
  ListItemButton,
  ListItemIcon,
  ListItemText,
  ListSubheader,
  Toolbar,
  Tooltip,
  Typography,
} from '@mui/material';
import { ThemeProvider } from '@mui/material/styles';
import FolderOpenIcon from '@mui/icons-material/FolderOpen';
import StorageIcon from '@mui/icons-material/Storage';
import WavesIcon from '@mui/icons-material/Waves';
import LayersIcon from '@mui/icons-material/Layers';
import ViewInArIcon from '@mui/icons-material/ViewInAr';
import WorkHistoryIcon from '@mui/icons-material/WorkHistory';
import SettingsIcon from '@mui/icons-material/Settings';
import MenuOpenIcon from '@mui/icons-material/MenuOpen';
import MenuIcon from '@mui/icons-material/Menu';
import ModelTrainingIcon from '@mui/icons-material/ModelTraining';
import AutoAwesomeIcon from '@mui/icons-material/AutoAwesome';
import GridViewIcon from '@mui/icons-material/GridView';
import ScienceIcon from '@mui/icons-material/Science';
import type { StudioClient } from '../api/client.ts';
import { ApiProvider } from '../api/context.tsx';
import { JobsProvider, useJobs } from '../jobs/JobsProvider.tsx';
import { studioTheme } from './theme.ts';
import { NoticeProvider } from './notices.tsx';
import { ConnectionBanner } from './ConnectionBanner.tsx';
import { ProjectProvider, useCurrentProject } from './project.tsx';
import { defaultRoute, formatHash, parseHash, type Route, type ViewId } from './routes.ts';
import { NavigationContext } from './navigation.ts';
import { NoProject } from './NoProject.tsx';
import { JobNotices } from './JobNotices.tsx';
import { ProjectsView } from '../views/ProjectsView.tsx';
import { DatasetsView } from '../views/DatasetsView.tsx';
import { SeismicView } from '../views/SeismicView.tsx';
import { VelocityView } from '../views/VelocityView.tsx';
import { WavefieldView } from '../views/WavefieldView.tsx';
import { JobsView } from '../views/JobsView.tsx';
import { SettingsView } from '../views/SettingsView.tsx';
import { ModelsView } from '../views/ModelsView.tsx';
import { GenerateView } from '../views/GenerateView.tsx';
import { GalleryView } from '../views/GalleryView.tsx';
import { StudiesView } from '../views/StudiesView.tsx';

interface NavItem {
  view: ViewId;
  label: string;
  icon: ReactNode;
  /** Views that show the open project's data. */
  needsProject: boolean;
}

/** The navigation, in groups; a view added here also goes into `viewIds` in routes.ts. */
const navGroups: { label: string; items: NavItem[] }[] = [
  { label: 'Project', items: [{ view: 'projects', label: 'Projects', icon: <FolderOpenIcon />, needsProject: false }] },
  {
    label: 'Data',
    items: [
      { view: 'datasets', label: 'Datasets', icon: <StorageIcon />, needsProject: true },
      { view: 'seismic', label: 'Shot gathers', icon: <WavesIcon />, needsProject: true },
      { view: 'velocity', label: 'Velocity maps', icon: <LayersIcon />, needsProject: true },
      { view: 'wavefield', label: 'Wavefield', icon: <ViewInArIcon />, needsProject: true },
    ],
  },
  {
    label: 'Generative models',
    items: [
      { view: 'models', label: 'Models', icon: <ModelTrainingIcon />, needsProject: true },
      { view: 'generate', label: 'Generate', icon: <AutoAwesomeIcon />, needsProject: true },
      { view: 'gallery', label: 'Gallery', icon: <GridViewIcon />, needsProject: true },
      { view: 'studies', label: 'Studies', icon: <ScienceIcon />, needsProject: true },
    ],
  },
  { label: 'Work', items: [{ view: 'jobs', label: 'Jobs', icon: <WorkHistoryIcon />, needsProject: true }] },
];
const settingsItem: NavItem = { view: 'settings', label: 'Settings', icon: <SettingsIcon />, needsProject: false };
const allItems = [...navGroups.flatMap((g) => g.items), settingsItem];

const DRAWER_WIDTH = 208;
const RAIL_WIDTH = 60;

function useHashRoute(): [Route, (route: Route) => void] {
  const [route, setRoute] = useState<Route>(() => (typeof window === 'undefined' ? defaultRoute : parseHash(window.location.hash)));
  useEffect(() => {
    const onHash = () => setRoute(parseHash(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const navigate = useCallback((next: Route) => {
    const hash = formatHash(next);
    if (window.location.hash !== hash) window.location.hash = hash;
    setRoute(next);
  }, []);
  return [route, navigate];
}

function NavButton({ item, active, collapsed, badge, onClick }: { item: NavItem; active: boolean; collapsed: boolean; badge?: number; onClick: () => void }) {
  const icon = badge ? (
    <Badge badgeContent={badge} color="secondary" data-testid={`nav-${item.view}-badge`}>
      {item.icon}
    </Badge>
  ) : (
    item.icon
  );
  const button = (
    <ListItemButton
      selected={active}
      onClick={onClick}
      data-testid={`nav-${item.view}`}
      aria-current={active ? 'page' : undefined}
      aria-label={collapsed ? item.label : undefined}
      sx={{ borderRadius: 1, mx: 1, my: 0.25, minHeight: 40, px: collapsed ? 1.25 : 1.5 }}
    >
      <ListItemIcon sx={{ minWidth: collapsed ? 0 : 36 }}>{icon}</ListItemIcon>
      {!collapsed && <ListItemText primary={item.label} />}
    </ListItemButton>
  );
  return collapsed ? (
    <Tooltip title={item.label} placement="right">
      {button}
    </Tooltip>
  ) : (
    button
  );
}

function Shell() {
  const [route, navigate] = useHashRoute();
  const [collapsed, setCollapsed] = useState(false);
  const { project, known } = useCurrentProject();
  const { runningCount } = useJobs();
  const width = collapsed ? RAIL_WIDTH : DRAWER_WIDTH;
  const current = allItems.find((i) => i.view === route.view) ?? allItems[0];

  const go = useCallback((view: ViewId, params: Record<string, string> = {}) => navigate({ view, params }), [navigate]);

  let content: ReactNode;
  if (current.needsProject && known && !project) {
    content = <NoProject onGoToProjects={() => go('projects')} />;
  } else if (current.needsProject && !known) {
    content = null;
  } else {
    switch (route.view) {
      case 'projects':
        content = <ProjectsView />;
        break;
      case 'datasets':
        content = <DatasetsView params={route.params} />;
        break;
      case 'seismic':
        content = <SeismicView params={route.params} />;
        break;
      case 'velocity':
        content = <VelocityView params={route.params} />;
        break;
      case 'wavefield':
        content = <WavefieldView params={route.params} />;
        break;
      case 'models':
        content = <ModelsView params={route.params} />;
        break;
      case 'generate':
        content = <GenerateView />;
        break;
      case 'gallery':
        content = <GalleryView params={route.params} />;
        break;
      case 'studies':
        content = <StudiesView params={route.params} />;
        break;
      case 'jobs':
        content = <JobsView />;
        break;
      case 'settings':
        content = <SettingsView />;
        break;
    }
  }

  return (
    <NavigationContext.Provider value={{ route, navigate: go }}>
      <JobNotices />
      <Box sx={{ display: 'flex', height: '100vh', overflow: 'hidden' }}>
        <AppBar position="fixed" color="default" elevation={0} sx={{ zIndex: (t) => t.zIndex.drawer + 1, borderBottom: 1, borderColor: 'divider', bgcolor: 'background.paper' }}>
          <Toolbar variant="dense" sx={{ gap: 1.5 }}>
            <IconButton
              edge="start"
              aria-label={collapsed ? 'Expand navigation' : 'Collapse navigation'}
              data-testid="nav-toggle"
              onClick={() => setCollapsed((c) => !c)}
            >
              {collapsed ? <MenuIcon /> : <MenuOpenIcon />}
            </IconButton>
            <Typography variant="subtitle1" sx={{ fontWeight: 700, letterSpacing: 0.2 }} noWrap>
              WaveDiffusion Studio
            </Typography>
            <Box sx={{ flex: 1 }} />
            {project ? (
              <Tooltip title={project.folder}>
                <Chip
                  data-testid="appbar-project"
                  icon={<FolderOpenIcon />}
                  label={project.isDemo ? `${project.name} (demo)` : project.name}
                  variant="outlined"
                  onClick={() => go('projects')}
                />
              </Tooltip>
            ) : known ? (
              <Chip data-testid="appbar-no-project" label="No project open" variant="outlined" onClick={() => go('projects')} />
            ) : null}
          </Toolbar>
        </AppBar>
        <Drawer
          variant="permanent"
          sx={{ width, flexShrink: 0, '& .MuiDrawer-paper': { width, boxSizing: 'border-box', overflowX: 'hidden', transition: 'width 150ms' } }}
          slotProps={{ paper: { component: 'nav', 'aria-label': 'Main navigation' } as object }}
        >
          <Toolbar variant="dense" />
          <Box sx={{ display: 'flex', flexDirection: 'column', flex: 1, py: 1 }}>
            {navGroups.map((group, index) => (
              <List
                key={group.label}
                dense
                disablePadding
                subheader={
                  collapsed ? (
                    index > 0 ? <Divider sx={{ my: 1 }} /> : undefined
                  ) : (
                    <ListSubheader disableSticky sx={{ bgcolor: 'transparent', lineHeight: '32px', fontSize: 11, textTransform: 'uppercase', letterSpacing: 0.8 }}>
                      {group.label}
                    </ListSubheader>
                  )
                }
              >
                {group.items.map((item) => (
                  <NavButton
                    key={item.view}
                    item={item}
                    collapsed={collapsed}
                    active={route.view === item.view}
                    badge={item.view === 'jobs' ? runningCount : undefined}
                    onClick={() => go(item.view)}
                  />
                ))}
              </List>
            ))}
            <Box sx={{ flex: 1 }} />
            <List dense disablePadding>
              <NavButton item={settingsItem} collapsed={collapsed} active={route.view === 'settings'} onClick={() => go('settings')} />
            </List>
          </Box>
        </Drawer>
        <Box component="main" sx={{ flex: 1, minWidth: 0, display: 'flex', flexDirection: 'column' }} data-testid={`view-${route.view}`}>
          <Toolbar variant="dense" />
          <ConnectionBanner />
          <Box sx={{ flex: 1, overflow: 'auto', p: 3 }}>{content}</Box>
        </Box>
      </Box>
    </NavigationContext.Provider>
  );
}

export function App({ client }: { client: StudioClient }) {
  return (
    <ThemeProvider theme={studioTheme}>
      <CssBaseline />
      <ApiProvider client={client}>
        <NoticeProvider>
          <ProjectProvider>
            <JobsProvider>
              <Shell />
            </JobsProvider>
          </ProjectProvider>
        </NoticeProvider>
      </ApiProvider>
    </ThemeProvider>
  );
}
