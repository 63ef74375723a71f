package io.zktenantproxy.proxy.compat.driver;

import java.lang.reflect.InvocationTargetException;

/**
 * Adds a listener to a Curator recipe by reflection: {@code getListenable()} returns a {@code ListenerContainer} in
 * Curator 4 and a {@code Listenable} in Curator 5 (other method descriptors), so a call compiled against 5 fails to link
 * on 4 ({@code NoSuchMethodError}). Both have {@code addListener(T)}.
 */
final class Listeners {
    private Listeners() {
    }

    /** {@code recipe.getListenable().addListener(listener)}, whatever type getListenable returns. */
    static void add(Object recipe, Object listener) {
        try {
            Object listenable = recipe.getClass().getMethod("getListenable").invoke(recipe);
            for (java.lang.reflect.Method m : listenable.getClass().getMethods()) {
                if (m.getName().equals("addListener") && m.getParameterCount() == 1) {
                    m.invoke(listenable, listener);
                    return;
                }
            }
            throw new AssertionError(listenable.getClass() + " has no addListener(T)");
        } catch (IllegalAccessException | NoSuchMethodException e) {
            throw new AssertionError("adding a listener to " + recipe.getClass(), e);
        } catch (InvocationTargetException e) {
            throw new AssertionError("adding a listener to " + recipe.getClass(), e.getCause());
        }
    }
}
