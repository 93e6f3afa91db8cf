package org.imdp.ops;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.Arrays;

import javax.management.JMException;
import javax.management.MBeanParameterInfo;
import javax.management.ObjectName;
import javax.management.modelmbean.ModelMBean;
import javax.management.modelmbean.ModelMBeanAttributeInfo;
import javax.management.modelmbean.ModelMBeanConstructorInfo;
import javax.management.modelmbean.ModelMBeanInfo;
import javax.management.modelmbean.ModelMBeanInfoSupport;
import javax.management.modelmbean.ModelMBeanNotificationInfo;
import javax.management.modelmbean.ModelMBeanOperationInfo;

import org.apache.camel.spi.ManagementAgent;
import org.apache.camel.spi.ManagementMBeanAssembler;

/**
 * The service's MBeans as Camel assembles them from {@code @ManagedResource}, {@code @ManagedAttribute} and
 * {@code @ManagedOperation}, with the operations' parameters named as in the Java method (the build compiles with
 * {@code -parameters}) and described by {@link Description}. Camel's assembler builds each operation's signature from
 * the {@link Method}, which names the parameters {@code p1}, {@code p2}, ...: what Jolokia's {@code list} and Hawtio's
 * Operations tab then show.
 */
final class ManagedParameters {

    /** What a parameter of a managed operation is, as Jolokia and Hawtio show it next to its name. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.PARAMETER)
    @interface Description {
        String value();
    }

    private ManagedParameters() {
    }

    /** Assembles {@code bean} as Camel's agent would (a started {@code DefaultManagementMBeanAssembler}), renames its operations' parameters and registers it as {@code name}. */
    static void register(ManagementMBeanAssembler assembler, ManagementAgent agent, Object bean, ObjectName name)
            throws JMException {
        ModelMBean mbean = assembler.assemble(agent.getMBeanServer(), bean, name);
        ModelMBeanInfo info = (ModelMBeanInfo) mbean.getMBeanInfo();
        ModelMBeanOperationInfo[] operations = Arrays.stream(info.getOperations())
                .map(op -> named(bean.getClass(), (ModelMBeanOperationInfo) op))
                .toArray(ModelMBeanOperationInfo[]::new);
        mbean.setModelMBeanInfo(new ModelMBeanInfoSupport(info.getClassName(), info.getDescription(),
                Arrays.stream(info.getAttributes()).map(ModelMBeanAttributeInfo.class::cast).toArray(ModelMBeanAttributeInfo[]::new),
                Arrays.stream(info.getConstructors()).map(ModelMBeanConstructorInfo.class::cast).toArray(ModelMBeanConstructorInfo[]::new),
                operations,
                Arrays.stream(info.getNotifications()).map(ModelMBeanNotificationInfo.class::cast).toArray(ModelMBeanNotificationInfo[]::new),
                info.getMBeanDescriptor()));
        agent.register(mbean, name);
    }

    private static ModelMBeanOperationInfo named(Class<?> type, ModelMBeanOperationInfo operation) {
        MBeanParameterInfo[] signature = operation.getSignature();
        if (signature.length == 0) {
            return operation;
        }
        Method method = Arrays.stream(type.getMethods())
                .filter(m -> m.getName().equals(operation.getName()) && sameTypes(m, signature))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException(type.getName() + " has no method " + operation.getName()));
        Parameter[] parameters = method.getParameters();
        if (!parameters[0].isNamePresent()) {
            throw new IllegalStateException(type.getName() + " compiled without -parameters: " + operation.getName()
                    + "'s parameters would show as arg0, arg1, ...");
        }
        MBeanParameterInfo[] named = new MBeanParameterInfo[signature.length];
        for (int i = 0; i < signature.length; i++) {
            Description description = parameters[i].getAnnotation(Description.class);
            named[i] = new MBeanParameterInfo(parameters[i].getName(), signature[i].getType(),
                    description != null ? description.value() : parameters[i].getName());
        }
        return new ModelMBeanOperationInfo(operation.getName(), operation.getDescription(), named,
                operation.getReturnType(), operation.getImpact(), operation.getDescriptor());
    }

    private static boolean sameTypes(Method method, MBeanParameterInfo[] signature) {
        Class<?>[] types = method.getParameterTypes();
        if (types.length != signature.length) {
            return false;
        }
        for (int i = 0; i < types.length; i++) {
            if (!types[i].getName().equals(signature[i].getType())) {
                return false;
            }
        }
        return true;
    }
}
