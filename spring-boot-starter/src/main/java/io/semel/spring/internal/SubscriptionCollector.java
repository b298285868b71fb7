package io.semel.spring.internal;

import io.semel.processor.Handler;
import io.semel.spring.SemelHandler;
import io.semel.spring.SemelSubscription;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;

/**
 * Finds {@code @SemelHandler} beans and methods as beans are initialized, and remembers
 * {@link Handler} beans that carry no annotation (reported at start unless a
 * {@link SemelSubscription} bean uses them). Registered by the auto-configuration as a static bean.
 * Called during context refresh (one thread); read afterwards, so the lists are guarded by this.
 */
public final class SubscriptionCollector implements BeanPostProcessor {
    private final List<SemelSubscription> found = new ArrayList<>();
    private final List<Unannotated> unannotated = new ArrayList<>();

    /** A Handler bean without @SemelHandler. */
    public record Unannotated(String beanName, Handler handler) {
    }

    @Override
    public Object postProcessAfterInitialization(Object bean, String beanName) {
        Class<?> type = AopUtils.getTargetClass(bean);
        if (bean instanceof Handler h) {
            SemelHandler a = AnnotatedElementUtils.findMergedAnnotation(type, SemelHandler.class);
            synchronized (this) {
                if (a != null) {
                    found.add(new SemelSubscription(a.topic(), a.group(), a.consumer(), h, "bean '" + beanName + "'"));
                } else {
                    unannotated.add(new Unannotated(beanName, h));
                }
            }
        }
        Map<Method, SemelHandler> methods = MethodIntrospector.selectMethods(type,
                (MethodIntrospector.MetadataLookup<SemelHandler>) m ->
                        AnnotatedElementUtils.findMergedAnnotation(m, SemelHandler.class));
        for (Map.Entry<Method, SemelHandler> e : methods.entrySet()) {
            Method invocable = AopUtils.selectInvocableMethod(e.getKey(), bean.getClass());
            MethodHandler handler = MethodHandler.of(bean, invocable, beanName);
            SemelHandler a = e.getValue();
            synchronized (this) {
                found.add(new SemelSubscription(a.topic(), a.group(), a.consumer(), handler,
                        "method " + handler));
            }
        }
        return bean;
    }

    /** The annotated handlers found so far, in bean initialization order. */
    public synchronized List<SemelSubscription> found() {
        return List.copyOf(found);
    }

    public synchronized List<Unannotated> unannotated() {
        return List.copyOf(unannotated);
    }
}
