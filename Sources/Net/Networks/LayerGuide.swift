/// What each dreamable layer of a network tends to paint, written from looking at galleries
/// (`dreamvideo gallery photo.jpg --model NAME`) on photos and on the logo, plus the layers a
/// person new to the network should start with: a walk for a zoom (shallow to deep) and one layer
/// for a single dream. `dreamvideo layers` prints the notes; a preset written for one network is
/// mapped onto another's walk (Schedule.mapped).
public struct LayerGuide: Sendable, Equatable {
    public struct Layer: Sendable, Equatable {
        public var name: String
        /// A few words on what dreaming this layer paints.
        public var paints: String
    }

    public var model: String
    /// Every dreamable layer of the model, shallow to deep (the order of Model.layers).
    public var layers: [Layer]
    /// About six layers for a zoom, shallow to deep.
    public var walk: [String]
    /// The layer to dream when a person names none.
    public var single: String

    public func note(for layer: String) -> String? { layers.first { $0.name == layer }?.paints }

    /// The guide of a known model, nil for one without notes.
    public static func of(_ model: String) -> LayerGuide? { all.first { $0.model == model } }

    public static let all: [LayerGuide] = [inceptionV3, squeezeNet, vgg19, mobileNetV2]

    /// Where `layer` of `source` sits along source's walk (0 = its first layer, walk.count - 1 =
    /// its last), by its depth: a layer between two walk layers gets a fraction between, one
    /// shallower than the walk 0, one deeper walk.count - 1. nil if source has no such layer.
    public func walkPosition(of layer: String) -> Double? {
        guard let depth = layers.firstIndex(where: { $0.name == layer }) else { return nil }
        let stops = walk.compactMap { w in layers.firstIndex { $0.name == w } }
        guard let first = stops.first, let last = stops.last else { return nil }
        if depth <= first { return 0 }
        if depth >= last { return Double(stops.count - 1) }
        for i in 1..<stops.count where depth <= stops[i] {
            return Double(i - 1) + Double(depth - stops[i - 1]) / Double(max(1, stops[i] - stops[i - 1]))
        }
        return Double(stops.count - 1)
    }

    /// The layer of this guide's walk at the same place as `layer` on `source`'s walk: the first of
    /// one walk goes to the first of the other, the last to the last, those between in proportion.
    public func counterpart(of layer: String, in source: LayerGuide) -> String? {
        guard let p = source.walkPosition(of: layer), !walk.isEmpty else { return nil }
        let fraction = source.walk.count > 1 ? p / Double(source.walk.count - 1) : 0
        let i = Int((fraction * Double(walk.count - 1)).rounded())
        return walk[min(walk.count - 1, max(0, i))]
    }
}

extension LayerGuide {
    static let inceptionV3 = LayerGuide(
        model: InceptionV3.name,
        layers: [
            Layer(name: "conv", paints: "a fine screen-door grid of thin lines; tints the whole picture"),
            Layer(name: "conv_1", paints: "rainbow fringes and parallel outlines echoing every edge"),
            Layer(name: "conv_2", paints: "a dense magenta-green check, zigzags"),
            Layer(name: "pool0", paints: "the same check, coarser: a mosaic of bright triangles"),
            Layer(name: "conv_3", paints: "maze-like parallel stripes, worms"),
            Layer(name: "conv_4", paints: "interlocking squiggles and brushed rainbow tiles"),
            Layer(name: "pool1", paints: "rounded rainbow-edged cells, like cobbles"),
            Layer(name: "mixed", paints: "small swirls and rings in pastel colours"),
            Layer(name: "mixed_1", paints: "spirals and concentric rings, dotted"),
            Layer(name: "mixed_2", paints: "bigger spirals and starbursts; the first eyes"),
            Layer(name: "mixed_3", paints: "eyes everywhere, ringed spots, fur-like strands"),
            Layer(name: "mixed_4", paints: "eyes and dog faces; wheels and suns become big eyes"),
            Layer(name: "mixed_5", paints: "fur and a woven mesh; faint animal faces"),
            Layer(name: "mixed_6", paints: "dog faces inside objects, fur, fine fibres"),
            Layer(name: "mixed_7", paints: "leafy clumps and hair-like strands"),
            Layer(name: "mixed_8", paints: "fine coloured speckle and fur; parts need a large picture"),
            Layer(name: "mixed_9", paints: "fine hair and scribbles; objects only on large pictures"),
            Layer(name: "mixed_10", paints: "faint fine texture at small sizes; the most abstract layer"),
        ],
        walk: ["mixed", "mixed_2", "mixed_3", "mixed_4", "mixed_5", "mixed_6"],
        single: "mixed_4")

    static let squeezeNet = LayerGuide(
        model: SqueezeNet.name,
        layers: [
            Layer(name: "conv1", paints: "stronger contrast and neon edges, like an edge filter"),
            Layer(name: "pool1", paints: "a lattice of small dark dots"),
            Layer(name: "fire2", paints: "red, green and magenta dots sprinkled on a grid"),
            Layer(name: "fire3", paints: "flowing brush strokes along the edges, marbling"),
            Layer(name: "pool3", paints: "little rings and swirls with coloured centres"),
            Layer(name: "fire4", paints: "sparse bright spots like pupils; otherwise smooth"),
            Layer(name: "fire5", paints: "whirlpools and concentric rings, round eye-like spots"),
            Layer(name: "pool5", paints: "bigger swirls and eyes"),
            Layer(name: "fire6", paints: "eyes with rings everywhere, bubbles"),
            Layer(name: "fire7", paints: "dog faces with eyes and snouts, rainbow fur"),
            Layer(name: "fire8", paints: "dog faces and muzzles, denser fur"),
            Layer(name: "fire9", paints: "birds: iridescent feathers and beaks"),
            Layer(name: "conv10", paints: "whole animals (birds, dogs), iridescent speckle"),
        ],
        walk: ["fire2", "fire3", "fire5", "fire6", "fire7", "fire9"],
        single: "fire7")

    static let vgg19 = LayerGuide(
        model: VGG19.name,
        layers: [
            Layer(name: "block1_conv1", paints: "a colour cast and crisper edges; almost no texture"),
            Layer(name: "block1_conv2", paints: "a purple-blue cast, posterised flat colour"),
            Layer(name: "block2_conv1", paints: "small dark beads strung along the edges"),
            Layer(name: "block2_conv2", paints: "neon RGB fringes and bright dots"),
            Layer(name: "block3_conv1", paints: "neon rainbow outlines echoing every edge"),
            Layer(name: "block3_conv2", paints: "stripes and dotted ripples, spokes radiating"),
            Layer(name: "block3_conv3", paints: "a dense lattice of rainbow dots and stripes"),
            Layer(name: "block3_conv4", paints: "coloured beads in rows, finer lattice"),
            Layer(name: "block4_conv1", paints: "glossy eyes and bulbs; shapes coil like worms"),
            Layer(name: "block4_conv2", paints: "glossy eyes and spirals; wheels become nautilus shells"),
            Layer(name: "block4_conv3", paints: "dog heads and shells, fewer and larger"),
            Layer(name: "block4_conv4", paints: "monkey and dog faces everywhere"),
            Layer(name: "block5_conv1", paints: "spotted creatures on legs; round things turn urchins"),
            Layer(name: "block5_conv2", paints: "whole animals (deer, dogs), birds on stalks"),
            Layer(name: "block5_conv3", paints: "birds and beasts; a wheel becomes a peacock"),
            Layer(name: "block5_conv4", paints: "birds, fish, lizards, hands: odd figures"),
        ],
        walk: ["block2_conv2", "block3_conv2", "block3_conv4", "block4_conv2", "block4_conv4", "block5_conv2"],
        single: "block4_conv4")

    static let mobileNetV2 = LayerGuide(
        model: MobileNetV2.name,
        layers: [
            Layer(name: "features_1", paints: "a fine stipple of purple and green specks, like halftone"),
            Layer(name: "features_2", paints: "a moire of thin parallel ripples"),
            Layer(name: "features_3", paints: "a rainbow weave of diagonal diamonds"),
            Layer(name: "features_4", paints: "wavy rainbow stripes, like contour lines"),
            Layer(name: "features_5", paints: "fingerprint whorls following the shapes"),
            Layer(name: "features_6", paints: "contour loops closing into rounded cells"),
            Layer(name: "features_7", paints: "concentric rings, the first eyes"),
            Layer(name: "features_8", paints: "eyes inside rings, striped background"),
            Layer(name: "features_9", paints: "more eyes, ringed spots, fur"),
            Layer(name: "features_10", paints: "eyes all over, ringed; stripes between"),
            Layer(name: "features_11", paints: "dog faces in objects, fur"),
            Layer(name: "features_12", paints: "dog heads everywhere, furry animal faces"),
            Layer(name: "features_13", paints: "big dog faces (a wheel becomes a face)"),
            Layer(name: "features_14", paints: "dogs, scaly textures; round things grow legs"),
            Layer(name: "features_15", paints: "animal faces, scales, insect-like legs"),
            Layer(name: "features_16", paints: "fine fur; spidery legs on round shapes"),
            Layer(name: "features_17", paints: "fine high-frequency fur texture"),
            Layer(name: "features_18", paints: "faint fine speckle; needs a large picture"),
        ],
        walk: ["features_3", "features_5", "features_7", "features_10", "features_12", "features_14"],
        single: "features_12")
}
