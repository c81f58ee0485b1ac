// The public surface of the packages, compared with a checked-in baseline so an accidental change fails CI.
// After an intended change: DCGAN_ACCEPT_API=1 dotnet test --project Dcgan.Tests -- --filter-class '*PublicApiTests'
namespace Dcgan.Tests.PublicApi;

using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;

public class PublicApiTests
{
    [Theory]
    [InlineData("Dcgan.Core")]
    [InlineData("Dcgan.Gpu")]
    [InlineData("Dcgan.Onnx")]
    public void Public_surface_matches_the_baseline(string assemblyName)
    {
        string actual = Describe(Assembly.Load(assemblyName));
        // The baseline is copied beside the tests (CI builds map source paths to /_/, so the source folder is not known there).
        string baselinePath = Path.Combine(AppContext.BaseDirectory, "PublicApi", assemblyName + ".txt");
        if (Environment.GetEnvironmentVariable("DCGAN_ACCEPT_API") == "1")
        {
            File.WriteAllText(Path.Combine(SourceFolder(), assemblyName + ".txt"), actual);
            File.WriteAllText(baselinePath, actual);
        }

        string expected = File.Exists(baselinePath) ? File.ReadAllText(baselinePath) : string.Empty;
        if (expected != actual)
        {
            var removed = expected.Split('\n').Except(actual.Split('\n')).Take(20);
            var added = actual.Split('\n').Except(expected.Split('\n')).Take(20);
            Assert.Fail($"The public API of {assemblyName} differs from {baselinePath}.\nRemoved:\n  {string.Join("\n  ", removed)}\nAdded:\n  {string.Join("\n  ", added)}\nIf intended, run with DCGAN_ACCEPT_API=1 and commit the baseline.");
        }
    }

    public static string Describe(Assembly assembly)
    {
        var lines = new List<string>();
        foreach (Type t in assembly.GetExportedTypes().OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            string kind = t.IsInterface ? "interface" : t.IsEnum ? "enum" : t.IsValueType ? "struct" : t.IsAbstract && t.IsSealed ? "static class" : t.IsAbstract ? "abstract class" : t.IsSealed ? "sealed class" : "class";
            string bases = string.Join(", ", new[] { t.BaseType }.Where(b => b is not null && b != typeof(object) && b != typeof(ValueType) && b != typeof(Enum)).Select(b => Name(b!))
                .Concat(t.GetInterfaces().Select(Name).Order(StringComparer.Ordinal)));
            lines.Add($"{kind} {Name(t)}{(bases.Length > 0 ? " : " + bases : string.Empty)}");
            const BindingFlags flags = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            var members = new List<string>();
            foreach (MemberInfo m in t.GetMembers(flags))
            {
                string? line = m switch
                {
                    ConstructorInfo c when Visible(c) => $"ctor({Params(c)})",
                    MethodInfo mi when Visible(mi) && !mi.IsSpecialName => $"{(mi.IsStatic ? "static " : mi.IsAbstract ? "abstract " : mi.IsVirtual && mi.GetBaseDefinition() == mi && !t.IsSealed ? "virtual " : string.Empty)}{Name(mi.ReturnType)} {mi.Name}{(mi.IsGenericMethod ? "<" + string.Join(", ", mi.GetGenericArguments().Select(a => a.Name)) + ">" : string.Empty)}({Params(mi)})",
                    PropertyInfo p when (p.GetMethod is { } g && Visible(g)) || (p.SetMethod is { } s && Visible(s)) =>
                        $"{Name(p.PropertyType)} {p.Name} {{ {(p.GetMethod is { } pg && Visible(pg) ? "get; " : string.Empty)}{(p.SetMethod is { } ps && Visible(ps) ? (ps.ReturnParameter.GetRequiredCustomModifiers().Any(x => x.Name == "IsExternalInit") ? "init; " : "set; ") : string.Empty)}}}",
                    FieldInfo f when (f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly) && !t.IsEnum => $"{(f.IsLiteral ? "const " : f.IsStatic ? "static " : string.Empty)}{Name(f.FieldType)} {f.Name}",
                    FieldInfo f when t.IsEnum && f.IsLiteral => $"{f.Name} = {Convert.ToInt64(f.GetRawConstantValue(), System.Globalization.CultureInfo.InvariantCulture)}",
                    _ => null,
                };
                if (line is not null)
                {
                    members.Add("  " + line);
                }
            }

            lines.AddRange(members.Order(StringComparer.Ordinal));
        }

        return string.Join("\n", lines) + "\n";
    }

    private static bool Visible(MethodBase m) => m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly;

    private static string Params(MethodBase m) =>
        string.Join(", ", m.GetParameters().Select(p => $"{(p.ParameterType.IsByRef ? (p.IsIn ? "in " : p.IsOut ? "out " : "ref ") : string.Empty)}{Name(p.ParameterType.IsByRef ? p.ParameterType.GetElementType()! : p.ParameterType)} {p.Name}{(p.HasDefaultValue ? " = " + (p.DefaultValue?.ToString() ?? "null") : string.Empty)}"));

    private static string Name(Type t)
    {
        if (t.IsGenericParameter)
        {
            return t.Name;
        }

        if (t.IsArray)
        {
            return Name(t.GetElementType()!) + "[]";
        }

        if (Nullable.GetUnderlyingType(t) is { } u)
        {
            return Name(u) + "?";
        }

        string name = t.IsNested ? Name(t.DeclaringType!) + "." + t.Name : (t.Namespace is null ? t.Name : t.Namespace + "." + t.Name);
        if (!t.IsGenericType)
        {
            return name;
        }

        int tick = name.IndexOf('`', StringComparison.Ordinal);
        return (tick >= 0 ? name[..tick] : name) + "<" + string.Join(", ", t.GetGenericArguments().Select(Name)) + ">";
    }

    private static string SourceFolder([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
