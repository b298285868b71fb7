package io.semel.spring.internal;

import io.semel.processor.Handler;
import io.semel.processor.ProcessorMessage;
import io.semel.processor.ProcessorTransaction;
import io.semel.processor.store.HandlerException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Objects;

/**
 * A {@link Handler} that calls a {@code @SemelHandler} method of a bean. The method's own
 * exceptions pass through unchanged (SQLException, HandlerException, runtime exceptions roll the
 * transaction back as the processor documents); any other checked exception is wrapped in a
 * HandlerException. Thread-safe if the bean is.
 */
public final class MethodHandler implements Handler {
    private final Object bean;
    private final Method method;
    private final String description;

    private MethodHandler(Object bean, Method method, String description) {
        this.bean = bean;
        this.method = method;
        this.description = description;
    }

    /**
     * @param invocable the method as it can be called on {@code bean} (on a proxy: the proxy's method)
     * @throws IllegalStateException when the method's signature is not {@code void (ProcessorMessage,
     *     ProcessorTransaction)}, with the expected signature in the message
     */
    public static MethodHandler of(Object bean, Method invocable, String beanName) {
        Objects.requireNonNull(bean, "bean");
        String description = beanName + "." + invocable.getName();
        Class<?>[] p = invocable.getParameterTypes();
        boolean ok = p.length == 2 && p[0] == ProcessorMessage.class && p[1] == ProcessorTransaction.class
                && invocable.getReturnType() == void.class && !Modifier.isStatic(invocable.getModifiers());
        if (!ok) {
            throw new IllegalStateException("@SemelHandler method " + description + Arrays.toString(p)
                    + " returning " + invocable.getReturnType().getSimpleName() + " has the wrong signature; declare it "
                    + "as a non-static 'void " + invocable.getName() + "(ProcessorMessage message, ProcessorTransaction "
                    + "tx)'");
        }
        invocable.setAccessible(true);
        return new MethodHandler(bean, invocable, description);
    }

    @Override
    public void handle(ProcessorMessage message, ProcessorTransaction tx) throws SQLException, HandlerException {
        try {
            method.invoke(bean, message, tx);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot call @SemelHandler method " + description + ": " + e, e);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SQLException s) {
                throw s;
            }
            if (cause instanceof HandlerException h) {
                throw h;
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new HandlerException(description + " failed: " + cause, cause);
        }
    }

    @Override
    public String toString() {
        return description;
    }
}
