// The task page. The session is checked on the server (no flash of an empty board for a
// signed-out visitor); the board itself runs in the browser and calls the gateway directly.
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { TaskBoard } from '@/components/task-board';
import { getAuth } from '@/lib/auth';

export default async function TasksPage() {
  const requestHeaders = await headers(); // request-time: never prerendered at build
  const session = await (await getAuth()).api.getSession({ headers: requestHeaders });
  if (!session) redirect('/sign-in');
  // Read at request time, not inlined at build, so one build serves any gateway address.
  const gatewayUrl = process.env.GATEWAY_URL ?? 'http://localhost:8080';
  const { id, email, name } = session.user;
  return <TaskBoard user={{ id, email, name }} gatewayUrl={gatewayUrl} />;
}
