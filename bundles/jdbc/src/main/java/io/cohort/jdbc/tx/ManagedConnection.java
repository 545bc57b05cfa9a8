package io.cohort.jdbc.tx;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;

/**
 * The connection that {@link JdbcTransaction#connection()} returns: it forwards to the pooled connection but keeps
 * the end of the transaction for the manager. {@code close()} does nothing, and {@code commit()},
 * {@code rollback()} and {@code setAutoCommit(true)} throw, so that a unit of work cannot end the transaction
 * halfway through nested work. Any call after the transaction ended, or from another thread, throws.
 */
final class ManagedConnection implements InvocationHandler {

    private final JdbcTransaction transaction;
    private final Connection target;

    private ManagedConnection(JdbcTransaction transaction, Connection target) {
        this.transaction = transaction;
        this.target = target;
    }

    /** Returns a connection that forwards to {@code target} while {@code transaction} runs. */
    static Connection wrap(JdbcTransaction transaction, Connection target) {
        return (Connection) Proxy.newProxyInstance(ManagedConnection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, new ManagedConnection(transaction, target));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        String name = method.getName();
        int arity = args == null ? 0 : args.length;
        if (name.equals("equals") && arity == 1) {
            return proxy == args[0];
        }
        if (name.equals("hashCode") && arity == 0) {
            return System.identityHashCode(proxy);
        }
        if (name.equals("toString") && arity == 0) {
            return "connection of " + transaction;
        }
        if (name.equals("isClosed") && arity == 0) {
            return !transaction.isActive() || target.isClosed();
        }
        if (name.equals("close") && arity == 0) {
            return null;
        }
        transaction.requireUsable();
        if ((name.equals("commit") || name.equals("rollback")) && arity == 0
                || name.equals("setAutoCommit") && Boolean.TRUE.equals(args[0])) {
            throw new IllegalStateException(name + " is not allowed on the connection of " + transaction
                    + ": the transaction manager ends the transaction when the outermost unit of work returns "
                    + "(commit) or throws (rollback); call setRollbackOnly() to roll back without throwing");
        }
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
