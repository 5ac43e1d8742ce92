import { Navigate, Outlet, useLocation } from 'react-router';
import { EmptyState } from '../../components/states';
import { useAuth } from './AuthProvider';
import { rememberReturnPath } from './returnPath';
import { can, type Permission } from './roles';

export function RequireAuth() {
  const { user } = useAuth();
  const location = useLocation();
  if (!user) {
    // An address opened while signed out (a bookmark, a link) opens once signed in.
    rememberReturnPath(`${location.pathname}${location.search}`);
    return <Navigate to="/sign-in" replace />;
  }
  return <Outlet />;
}

export function RequireRole({ screen }: { screen: 'schedule' | 'clients' | 'enrollment' }) {
  const { user } = useAuth();
  const permission: Permission = `screen.${screen}`;
  if (!can(user?.role, permission)) {
    return (
      <EmptyState
        title="This screen is not part of your role"
        detail="Ask an administrator if you need access."
      />
    );
  }
  return <Outlet />;
}
